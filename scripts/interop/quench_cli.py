"""Quench's command line as the checks use it: every call goes through `quench`, nothing else."""
import json
import subprocess


class QuenchFailed(Exception):
    """A `quench` command exited non-zero; the message is the subcommand and the end of its standard error."""

    def __init__(self, command, stderr):
        self.stderr = stderr
        super().__init__(f"quench {command[0]} failed: {stderr.strip()[-300:]}")


class Quench:
    """The release binary at `path`."""

    def __init__(self, path):
        self.path = str(path)

    def run(self, *arguments):
        """Standard output of `quench ARGUMENTS`; raises QuenchFailed when it exits non-zero."""
        command = [str(argument) for argument in arguments]
        result = subprocess.run([self.path, *command], capture_output=True, text=True)
        if result.returncode != 0:
            raise QuenchFailed(command, result.stderr)
        return result.stdout

    def eval_sets(self, model, data, context, *options):
        """The first set of `quench eval --json`: its `base` (and `tuned`) summaries."""
        report = json.loads(self.run("eval", "--model", model, "--data", data, "--windowing", "disjoint",
                                     "--context", context, "--json", *options))
        return report["sets"][0]

