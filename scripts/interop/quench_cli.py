"""Quench's command line as the checks use it: every call goes through `quench`, nothing else."""
import json
import subprocess


class Absent(Exception):
    """The Quench feature a check needs is not in this build: the check is skipped with this reason."""


class QuenchFailed(Exception):
    """A `quench` command exited non-zero; the message is the command and its standard error."""

    def __init__(self, command, stderr):
        self.stderr = stderr
        super().__init__(f"`quench {' '.join(command)}` failed: {stderr.strip()[-600:]}")


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

    def has_option(self, subcommand, option):
        """Whether `quench SUBCOMMAND --help` lists OPTION."""
        return option in self.run(subcommand, "--help")

    def require_option(self, subcommand, option, feature):
        """Raises Absent when `quench SUBCOMMAND` has no OPTION yet."""
        if not self.has_option(subcommand, option):
            raise Absent(f"quench {subcommand} has no {option} ({feature}) in this build")

    def eval_sets(self, model, data, context, *options):
        """The first set of `quench eval --json`: its `base` (and `tuned`) summaries."""
        report = json.loads(self.run("eval", "--model", model, "--data", data, "--windowing", "disjoint",
                                     "--context", context, "--json", *options))
        return report["sets"][0]


def absent_when_refused(error, keys):
    """Re-raises a refusal of one of the PEFT options or training keys `keys` as Absent (not implemented
    yet); any other failure stays a failure."""
    text = error.stderr
    for key in keys:
        if key in text and ("not implemented by Quench yet" in text or f"'{key}': unknown key" in text):
            raise Absent(f"Quench refuses {key.split('.')[-1]}: not implemented in this build") from error
    raise error
