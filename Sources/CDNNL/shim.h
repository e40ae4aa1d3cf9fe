// oneDNN's C API from Debian's libdnnl-dev (oneDNN 2.6, OpenMP runtime: its threads are libgomp's,
// the same team COpenMP drives, so GEMMs and element-wise kernels share one pool of threads).
#include <dnnl.h>
#include <oneapi/dnnl/dnnl_debug.h>
