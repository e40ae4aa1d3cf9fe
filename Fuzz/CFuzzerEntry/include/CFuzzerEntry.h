#include <stddef.h>
#include <stdint.h>

/// The entry point of the quench-fuzz executable: runs libFuzzer's driver on LLVMFuzzerTestOneInput.
int quench_fuzz_main(int argc, char **argv);
