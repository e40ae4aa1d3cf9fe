// SwiftPM links a Swift executable with `main` redirected to `<module>_main` (`quench_fuzz_main`),
// which a libFuzzer binary does not have: it has no Swift entry point, libFuzzer runs the program.
// This is that symbol, handing the command line to libFuzzer's driver.
#include "CFuzzerEntry.h"

int LLVMFuzzerRunDriver(int *argc, char ***argv, int (*callback)(const uint8_t *data, size_t size));
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int quench_fuzz_main(int argc, char **argv) {
    return LLVMFuzzerRunDriver(&argc, &argv, LLVMFuzzerTestOneInput);
}
