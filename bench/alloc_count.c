/* Allocation counting for `backdrop-bench allocations`, preloaded (LD_PRELOAD) into the process:
 *
 *   cc -O2 -shared -fPIC -o .cache/libbackdrop_alloc_count.so bench/alloc_count.c
 *
 * Interposes the malloc family (malloc, calloc, realloc, memalign, aligned_alloc, posix_memalign,
 * valloc; each forwards to glibc's __libc_* entry point, so no dlsym and no recursion at start-up)
 * and, while counting is on, attributes every call to the loaded module its caller's code is in.
 *
 * Swift heap allocations are the calls made from libswiftCore.so: swift_allocObject (class
 * instances, array/string/dictionary buffers, boxes, closure contexts) and
 * UnsafeMutablePointer.allocate both end in swift_slowAlloc there, which calls malloc (or
 * aligned_alloc/posix_memalign for large alignments). For those, each call also records its thread
 * name and a backtrace (the first `records` of them, into buffers made before counting starts).
 *
 * Why not the runtime's own hook (`_swift_allocObject`)? Replacing that pointer makes the runtime
 * switch on its instrumentation flag, after which every swift_retain goes through
 * `_swift_retain_adapterImpl`; in the Swift 6.3 Linux runtime that adapter masks its argument before
 * checking it is a native pointer, so retaining a small string's payload faults (seen here at
 * pipeline shutdown; fixed upstream, swiftlang/swift#88924). Counting at malloc leaves the runtime
 * untouched.
 *
 * Heap profile mode (bench/heap_profile.py), when BAC_HEAP_OUT names a file: free is interposed too,
 * the bytes in use are tracked (malloc_usable_size), and every allocation of at least
 * BAC_HEAP_BIG bytes (default 256 KiB) is remembered with its backtrace until it is freed. After
 * BAC_HEAP_AT seconds (default 5) a thread writes what is in use to BAC_HEAP_OUT: the totals, then
 * one line per live big allocation (size, then its stack as module+offset), for the script to
 * group and symbolize. */
#ifndef __linux__
#error "alloc_count.c is preloaded with LD_PRELOAD and reads ELF modules (link.h): Linux only"
#endif
#define _GNU_SOURCE
#include <dlfcn.h>
#include <errno.h>
#include <fcntl.h>
#include <malloc.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>
#include <unistd.h>
#include <execinfo.h>
#include <link.h>
#include <pthread.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#ifndef __GLIBC__
#error "alloc_count.c forwards to glibc's __libc_* allocator: Linux with glibc only"
#endif

extern void *__libc_malloc(size_t);
extern void *__libc_calloc(size_t, size_t);
extern void *__libc_realloc(void *, size_t);
extern void *__libc_memalign(size_t, size_t);
extern void __libc_free(void *);

enum { MODULES = 1024, DEPTH = 64, NAME = 16, PATH = 160 };

struct module {
    uintptr_t start, end; /* executable segment */
    char path[PATH];
    uint64_t calls;
};

static struct module modules[MODULES + 1]; /* the last one: "other" (caller in no known module) */
static int module_count;
static int swift_module = -1;
static int counting;
static uint64_t all_calls;   /* every call, always */
static uint64_t swift_calls; /* calls from libswiftCore while counting */

static int capacity;
static void **stacks;    /* capacity * DEPTH */
static int *stack_sizes; /* capacity */
static char *names;      /* capacity * NAME */
static __thread int inside;

static void note(void *caller) {
    __atomic_fetch_add(&all_calls, 1, __ATOMIC_RELAXED);
    if (!__atomic_load_n(&counting, __ATOMIC_RELAXED) || inside) return;
    inside = 1;
    uintptr_t address = (uintptr_t)caller;
    int which = module_count; /* other */
    for (int i = 0; i < module_count; i++) {
        if (address >= modules[i].start && address < modules[i].end) { which = i; break; }
    }
    __atomic_fetch_add(&modules[which].calls, 1, __ATOMIC_RELAXED);
    if (which == swift_module) {
        uint64_t index = __atomic_fetch_add(&swift_calls, 1, __ATOMIC_RELAXED);
        if (index < (uint64_t)capacity) {
            stack_sizes[index] = backtrace(stacks + index * DEPTH, DEPTH);
            pthread_getname_np(pthread_self(), names + index * NAME, NAME);
        }
    }
    inside = 0;
}

/* --- heap profile mode ---------------------------------------------------------------------- */

enum { SLOTS = 1 << 16, HEAP_DEPTH = 24 };
struct big { void *pointer; size_t size; int depth; void *stack[HEAP_DEPTH]; };
static int heap_mode;             /* set by the constructor when BAC_HEAP_OUT is set */
static size_t big_threshold = 256 * 1024;
static int64_t in_use;            /* bytes (usable sizes) */
static int64_t in_use_peak;
static struct big *bigs;          /* open addressing by pointer */
static int big_lock;

static void lock(void) { while (__atomic_exchange_n(&big_lock, 1, __ATOMIC_ACQUIRE)) {} }
static void unlock(void) { __atomic_store_n(&big_lock, 0, __ATOMIC_RELEASE); }
static size_t slot_of(void *p) { return ((uintptr_t)p >> 4) * 0x9E3779B97F4A7C15ull >> 48; }

static void heap_added(void *p) {
    if (!heap_mode || !p) return;
    size_t size = malloc_usable_size(p);
    int64_t now = __atomic_add_fetch(&in_use, (int64_t)size, __ATOMIC_RELAXED);
    int64_t peak = __atomic_load_n(&in_use_peak, __ATOMIC_RELAXED);
    while (now > peak && !__atomic_compare_exchange_n(&in_use_peak, &peak, now, 1, __ATOMIC_RELAXED, __ATOMIC_RELAXED)) {}
    if (size < big_threshold || inside) return;
    inside = 1;
    struct big entry = { .pointer = p, .size = size };
    entry.depth = backtrace(entry.stack, HEAP_DEPTH);
    lock();
    for (size_t i = slot_of(p), n = 0; n < SLOTS; i = (i + 1) & (SLOTS - 1), n++) {
        if (bigs[i].pointer == NULL || bigs[i].pointer == (void *)1) { bigs[i] = entry; break; }
    }
    unlock();
    inside = 0;
}

static void heap_removed(void *p) {
    if (!heap_mode || !p) return;
    size_t size = malloc_usable_size(p);
    __atomic_sub_fetch(&in_use, (int64_t)size, __ATOMIC_RELAXED);
    if (size < big_threshold) return;
    lock();
    for (size_t i = slot_of(p), n = 0; n < SLOTS && bigs[i].pointer; i = (i + 1) & (SLOTS - 1), n++) {
        if (bigs[i].pointer == p) { bigs[i].pointer = (void *)1; break; } /* tombstone */
    }
    unlock();
}

static void *heap_dumper(void *arg) {
    (void)arg;
    const char *at = getenv("BAC_HEAP_AT");
    double seconds = at ? atof(at) : 5.0;
    struct timespec wait = { (time_t)seconds, (long)((seconds - (time_t)seconds) * 1e9) };
    nanosleep(&wait, NULL);
    const char *path = getenv("BAC_HEAP_OUT");
    FILE *out = fopen(path, "w");
    if (!out) return NULL;
    inside = 1; /* this thread's own allocations (stdio) are not profiled */
    lock();
    static struct big copy[SLOTS]; /* a snapshot, written out after unlocking */
    int count = 0;
    for (size_t i = 0; i < SLOTS; i++) {
        if (bigs[i].pointer && bigs[i].pointer != (void *)1) copy[count++] = bigs[i];
    }
    unlock();
    fprintf(out, "in_use %lld\npeak %lld\nbig_threshold %zu\n", (long long)__atomic_load_n(&in_use, __ATOMIC_RELAXED),
            (long long)__atomic_load_n(&in_use_peak, __ATOMIC_RELAXED), big_threshold);
    for (int i = 0; i < count; i++) {
        fprintf(out, "big %zu", copy[i].size);
        for (int f = 1; f < copy[i].depth; f++) { /* frame 0 is heap_added */
            Dl_info info;
            if (dladdr(copy[i].stack[f], &info) && info.dli_fname) {
                fprintf(out, " %s+0x%lx", info.dli_fname, (unsigned long)((uintptr_t)copy[i].stack[f] - (uintptr_t)info.dli_fbase - 1));
            } else {
                fprintf(out, " ?+0x%lx", (unsigned long)(uintptr_t)copy[i].stack[f]);
            }
        }
        fputc('\n', out);
    }
    fclose(out);
    return NULL;
}

__attribute__((constructor)) static void heap_start(void) {
    if (!getenv("BAC_HEAP_OUT")) return;
    const char *big = getenv("BAC_HEAP_BIG");
    if (big) big_threshold = (size_t)atol(big);
    bigs = __libc_calloc(SLOTS, sizeof(struct big));
    void *warm[4];
    backtrace(warm, 4);
    heap_mode = 1;
    pthread_t thread;
    pthread_create(&thread, NULL, heap_dumper, NULL);
    pthread_detach(thread);
}

#define CALLER __builtin_extract_return_addr(__builtin_return_address(0))
static inline void *added(void *p) { heap_added(p); return p; }

void *malloc(size_t size) { note(CALLER); return added(__libc_malloc(size)); }
void *calloc(size_t n, size_t size) { note(CALLER); return added(__libc_calloc(n, size)); }
void *realloc(void *p, size_t size) {
    note(CALLER);
    if (!heap_mode) return __libc_realloc(p, size);
    heap_removed(p); /* counted out before: a failed realloc leaves p, counted in again below */
    void *q = __libc_realloc(p, size);
    heap_added(q ? q : (size ? p : NULL));
    return q;
}
void *memalign(size_t alignment, size_t size) { note(CALLER); return added(__libc_memalign(alignment, size)); }
void *aligned_alloc(size_t alignment, size_t size) { note(CALLER); return added(__libc_memalign(alignment, size)); }
void *valloc(size_t size) { note(CALLER); return added(__libc_memalign(4096, size)); }
int posix_memalign(void **out, size_t alignment, size_t size) {
    note(CALLER);
    if (alignment % sizeof(void *) != 0 || (alignment & (alignment - 1)) != 0) return EINVAL;
    void *p = __libc_memalign(alignment, size);
    if (!p) return ENOMEM;
    *out = added(p);
    return 0;
}
void free(void *p) {
    heap_removed(p);
    __libc_free(p);
}

static int add_module(struct dl_phdr_info *info, size_t size, void *data) {
    (void)size; (void)data;
    for (int i = 0; i < info->dlpi_phnum && module_count < MODULES; i++) {
        const ElfW(Phdr) *segment = &info->dlpi_phdr[i];
        if (segment->p_type != PT_LOAD || !(segment->p_flags & PF_X)) continue;
        struct module *m = &modules[module_count];
        m->start = info->dlpi_addr + segment->p_vaddr;
        m->end = m->start + segment->p_memsz;
        const char *path = info->dlpi_name && info->dlpi_name[0] ? info->dlpi_name : "(main executable)";
        strncpy(m->path, path, PATH - 1);
        if (strstr(path, "libswiftCore.so")) swift_module = module_count;
        module_count++;
    }
    return 0;
}

/* Takes the loaded modules' code ranges (call after everything is loaded) and makes the record
 * buffers. Returns 0, or -1 when libswiftCore is not loaded. */
int bac_install(int records) {
    if (module_count) return swift_module >= 0 ? 0 : -1;
    dl_iterate_phdr(add_module, NULL);
    strcpy(modules[module_count].path, "(other)");
    capacity = records > 0 ? records : 0;
    stacks = __libc_calloc((size_t)capacity * DEPTH + 1, sizeof(void *));
    stack_sizes = __libc_calloc((size_t)capacity + 1, sizeof(int));
    names = __libc_calloc((size_t)capacity * NAME + 1, 1);
    void *warm[4];
    backtrace(warm, 4); /* loads the unwinder now, not while counting */
    return swift_module >= 0 ? 0 : -1;
}

void bac_set_counting(int on) { __atomic_store_n(&counting, on, __ATOMIC_SEQ_CST); }
int bac_is_counting(void) { return __atomic_load_n(&counting, __ATOMIC_SEQ_CST); }
uint64_t bac_malloc_calls(void) { return __atomic_load_n(&all_calls, __ATOMIC_SEQ_CST); }
uint64_t bac_swift_allocations(void) { return __atomic_load_n(&swift_calls, __ATOMIC_SEQ_CST); }
int bac_capacity(void) { return capacity; }

/* Modules 0..<count, then "(other)" at index count: path and calls while counting. */
int bac_module_count(void) { return module_count; }
uint64_t bac_module(int index, const char **path) {
    if (index < 0 || index > module_count) return 0;
    *path = modules[index].path;
    return __atomic_load_n(&modules[index].calls, __ATOMIC_SEQ_CST);
}

/* Record `index` (< min(capacity, Swift allocations)): its frames (frame 0 is in this library) and thread name. */
int bac_record(int index, void ***frames, const char **thread) {
    if (index < 0 || index >= capacity) return 0;
    *frames = stacks + (size_t)index * DEPTH;
    *thread = names + (size_t)index * NAME;
    return stack_sizes[index];
}
