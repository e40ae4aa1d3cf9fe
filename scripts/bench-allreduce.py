"""Open MPI's sums of one gradient block, timed alone (never in CI): what `quench train` ranks pay per step.

  export OMPI_ALLOW_RUN_AS_ROOT=1 OMPI_ALLOW_RUN_AS_ROOT_CONFIRM=1
  for a in 0 1 2 3 4; do
    mpirun -np 2 --bind-to core -x OMPI_MCA_coll_libnbc_iallreduce_algorithm=$a PYTHON scripts/bench-allreduce.py [FLOATS] [REPEATS]
  done

FLOATS defaults to SmolLM2-135M's gradient block (134,515,008 floats, in buckets of 16 Mi floats as
GradientReducer sends them). Times the blocking MPI_Allreduce, then MPI_Iallreduce waited by testing, as
MPIGroup waits, with each algorithm of Open MPI's libnbc (coll_libnbc_iallreduce_algorithm: 0 Open MPI's
choice, 1 ring, 2 binomial, 3 Rabenseifner, 4 recursive doubling). PYTHON needs numpy (the peer venv has
it). Rank 0 prints one JSON line per way (the blocking one with algorithm 0 only): the median seconds
of REPEATS sums after a warm-up.
"""
import ctypes, json, os, statistics, subprocess, sys, time
import numpy as np

FLOATS = int(sys.argv[1]) if len(sys.argv) > 1 else 134_515_008
REPEATS = int(sys.argv[2]) if len(sys.argv) > 2 else 3
BUCKET = 16 << 20

mpi = ctypes.CDLL("libmpi.so.40", mode=ctypes.RTLD_GLOBAL)
mpi.MPI_Init(None, None)
handle = lambda name: ctypes.c_void_p(ctypes.addressof(ctypes.c_void_p.in_dll(mpi, name)))
world, floats, total = handle("ompi_mpi_comm_world"), handle("ompi_mpi_float"), handle("ompi_mpi_op_sum")
rank = ctypes.c_int()
mpi.MPI_Comm_rank(world, ctypes.byref(rank))
block = np.ones(FLOATS, dtype=np.float32)
in_place = ctypes.c_void_p(1)

def buckets():
    for start in range(0, FLOATS, BUCKET):
        yield ctypes.c_void_p(block.ctypes.data + 4 * start), ctypes.c_int(min(BUCKET, FLOATS - start))

def blocking():
    for address, count in buckets():
        mpi.MPI_Allreduce(in_place, address, count, floats, total, world)

def non_blocking():
    requests = []
    for address, count in buckets():
        request = ctypes.c_void_p()
        mpi.MPI_Iallreduce(in_place, address, count, floats, total, world, ctypes.byref(request))
        requests.append(request)
    for request in requests:
        done = ctypes.c_int(0)
        while not done.value:
            mpi.MPI_Test(ctypes.byref(request), ctypes.byref(done), None)

def median_seconds(way):
    way()  # warm-up
    samples = []
    for _ in range(REPEATS):
        mpi.MPI_Barrier(world)
        started = time.perf_counter()
        way()
        samples.append(time.perf_counter() - started)
    return statistics.median(samples)

algorithm = os.environ.get("OMPI_MCA_coll_libnbc_iallreduce_algorithm", "0")
results = [("MPI_Iallreduce, libnbc algorithm " + algorithm, median_seconds(non_blocking))]
if algorithm == "0":
    results.insert(0, ("MPI_Allreduce (blocking)", median_seconds(blocking)))
if rank.value == 0:
    for way, seconds in results:
        print(json.dumps({"way": way, "floats": FLOATS, "seconds": round(seconds, 3)}), flush=True)
mpi.MPI_Finalize()
