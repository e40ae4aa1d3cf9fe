import COpenMP

/// The process's one set of compute threads: the calling thread's OpenMP (libgomp) team.
///
/// oneDNN runs its parallel regions on this team; Quench's element-wise loops (`Parallelism`) and
/// its fp32 products (`BLAS`, one single-threaded `cblas_sgemm` per team thread) run on it too, so
/// no second pool spins on the same cores. Work enters the team through `GOMP_parallel`, the call
/// GCC emits for `#pragma omp parallel`, so no compiler OpenMP support is needed.
enum ComputeTeam {
    /// Threads in a team: libgomp's default (OMP_NUM_THREADS when set, else the cores this process
    /// may run on), the size oneDNN's regions use as well.
    static let size = max(1, Int(omp_get_max_threads()))

    /// Threads a new piece of work can use from the calling thread: 1 inside a team region (nested
    /// work runs serially on the thread that asks), `size` elsewhere.
    static var available: Int { omp_in_parallel() != 0 ? 1 : size }

    /// Runs `work(task)` for every task in `0..<tasks` and returns when all have finished.
    ///
    /// Team thread `t` of `n` runs tasks t, t+n, t+2n… in order; which thread runs a task never
    /// changes what the task computes, so results do not depend on the team's size. `work` must
    /// only write what its task owns.
    static func run(_ tasks: Int, _ work: (Int) -> Void) {
        let threads = min(tasks, available)
        guard threads > 1 else {
            for task in 0..<tasks { work(task) }
            return
        }
        // The closure crosses to the team's threads through GOMP_parallel's data pointer. This is
        // sound: tasks write disjoint memory and GOMP_parallel returns only when every thread has
        // finished, so nothing the closure captures outlives the call.
        withoutActuallyEscaping(work) { work in
            let job = TeamJob(tasks: tasks, work: work)
            withUnsafePointer(to: job) { pointer in
                GOMP_parallel({ data in
                    guard let job = data?.assumingMemoryBound(to: TeamJob.self).pointee else { return }
                    let threads = Int(omp_get_num_threads())
                    var task = Int(omp_get_thread_num())
                    while task < job.tasks {
                        job.work(task)
                        task += threads
                    }
                }, UnsafeMutableRawPointer(mutating: pointer), UInt32(threads), 0)
            }
        }
    }
}

/// What `ComputeTeam.run` hands every team thread.
private struct TeamJob {
    let tasks: Int
    let work: (Int) -> Void
}
