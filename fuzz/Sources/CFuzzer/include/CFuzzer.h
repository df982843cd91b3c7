#ifndef BACKDROP_CFUZZER_H
#define BACKDROP_CFUZZER_H
#include <stddef.h>
#include <stdint.h>

typedef int (*bd_fuzz_harness)(const uint8_t *data, size_t size);

// Whether libFuzzer is linked in (a build with -sanitize=fuzzer).
int bd_fuzzer_linked(void);
// Runs libFuzzer (LLVMFuzzerRunDriver) with the process's command line on `harness`.
int bd_fuzzer_run(int argc, char **argv, bd_fuzz_harness harness);

#endif
