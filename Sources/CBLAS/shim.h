// CBLAS from Debian's libblas-dev. At run time libblas.so.3 resolves, through
// Debian's alternatives, to OpenBLAS when libopenblas0-pthread is installed.
#include <cblas.h>
