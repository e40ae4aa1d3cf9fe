/* sgemm GFLOP/s from plain C at the shapes `quench bench kernels` measures, so the Swift wrapper's
 * numbers can be compared with what the loaded BLAS reaches without Swift in between.
 * Build and run: make bench (cc -O2 scripts/sgemm_reference.c -lblas). */
#include <cblas.h>
#include <stdio.h>
#include <stdlib.h>
#include <time.h>

static double now(void) {
    struct timespec t;
    clock_gettime(CLOCK_MONOTONIC, &t);
    return t.tv_sec + t.tv_nsec * 1e-9;
}

static int compare(const void *a, const void *b) {
    double x = *(const double *)a, y = *(const double *)b;
    return (x > y) - (x < y);
}

static float *filled(size_t count) {
    float *p = malloc(count * sizeof(float));
    if (!p) { perror("malloc"); exit(1); }
    for (size_t i = 0; i < count; i++) p[i] = 0.02f * (float)((long)((i * 2654435761u) % 2001) - 1000) / 1000.0f;
    return p;
}

/* Median GFLOP/s of C (m,n) = op(A) · op(B) over `repeats` runs after one warm-up. */
static double measure(enum CBLAS_TRANSPOSE ta, enum CBLAS_TRANSPOSE tb, int m, int n, int k,
                      const float *a, int lda, const float *b, int ldb, float *c, int ldc, int repeats) {
    double samples[64];
    cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
    for (int r = 0; r < repeats; r++) {
        double start = now();
        cblas_sgemm(CblasRowMajor, ta, tb, m, n, k, 1.0f, a, lda, b, ldb, 0.0f, c, ldc);
        samples[r] = now() - start;
    }
    qsort(samples, repeats, sizeof(double), compare);
    double median = repeats % 2 ? samples[repeats / 2] : (samples[repeats / 2 - 1] + samples[repeats / 2]) / 2;
    return 2.0 * m * n * k / median / 1e9;
}

int main(int argc, char **argv) {
    int repeats = argc > 1 ? atoi(argv[1]) : 5;
    if (repeats < 1 || repeats > 64) { fprintf(stderr, "repeats must be 1..64\n"); return 2; }
    const int tokens = 1024, channels = 576, widths[] = {1536, 49152};
    printf("sgemm from C, median of %d (GFLOP/s)    M      N      K   GFLOP/s\n", repeats);
    for (int w = 0; w < 2; w++) {
        int width = widths[w];
        float *x = filled((size_t)tokens * channels), *wt = filled((size_t)width * channels);
        float *dy = filled((size_t)tokens * width);
        printf("forward     x·Wᵀ   (NT)            %6d %6d %6d %9.1f\n", tokens, width, channels,
               measure(CblasNoTrans, CblasTrans, tokens, width, channels, x, channels, wt, channels, dy, width, repeats));
        printf("input grad  dy·W   (NN)            %6d %6d %6d %9.1f\n", tokens, channels, width,
               measure(CblasNoTrans, CblasNoTrans, tokens, channels, width, dy, width, wt, channels, x, channels, repeats));
        printf("weight grad dyᵀ·x  (TN)            %6d %6d %6d %9.1f\n", width, channels, tokens,
               measure(CblasTrans, CblasNoTrans, width, channels, tokens, dy, width, x, channels, wt, channels, repeats));
        free(x); free(wt); free(dy);
    }
    return 0;
}
