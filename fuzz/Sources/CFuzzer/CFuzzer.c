#include "CFuzzer.h"

// libFuzzer's entry point for programs with a main of their own (SwiftPM gives every executable
// one). Weak, so a build without -sanitize=fuzzer links too; it is then NULL.
int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size))
    __attribute__((weak));

int bd_fuzzer_linked(void) { return LLVMFuzzerRunDriver != 0; }

int bd_fuzzer_run(int argc, char **argv, bd_fuzz_harness harness) {
    return LLVMFuzzerRunDriver(&argc, &argv, harness);
}
