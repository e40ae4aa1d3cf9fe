// The OpenMP runtime oneDNN is built on (GCC's libgomp, Debian's libgomp1), driven without a
// compiler's OpenMP support: GOMP_parallel is the entry point GCC emits for `#pragma omp parallel`
// (libgomp's stable ABI since GCC 4.9); the omp_* calls are the OpenMP API.
#ifndef QUENCH_COPENMP_SHIM_H
#define QUENCH_COPENMP_SHIM_H

/// Runs fn(data) on a team of `num_threads` threads (0: the default team size), the calling
/// thread included, and returns when every thread has finished. `flags` 0.
void GOMP_parallel(void (*fn)(void *), void *data, unsigned num_threads, unsigned flags);

int omp_get_thread_num(void);
int omp_get_num_threads(void);
int omp_get_max_threads(void);
void omp_set_num_threads(int num_threads);
int omp_in_parallel(void);

#endif
