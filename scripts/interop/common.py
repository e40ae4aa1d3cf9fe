"""What every check shares: its result, the work folder with the files made once, and the reference side's
numbers (transformers and PEFT on CPU, float32)."""
import dataclasses
import pathlib
import shutil

import torch
from transformers import AutoModelForCausalLM, AutoTokenizer

# 163 tokens of SmolLM2's tokenizer: three disjoint windows of CONTEXT tokens.
TEXT = (
    "Water boils at one hundred degrees Celsius at sea level, and it freezes at zero. "
    "To turn Celsius into Fahrenheit, multiply by nine, divide by five and add thirty-two. "
    "On a cold winter morning the thermometer outside the kitchen window showed frost on the glass, "
    "while the kettle inside began to whistle as the water reached its boiling point. "
    "Mountaineers know that water boils at a lower temperature high up, because the air pressure is lower, "
    "so pasta cooks more slowly in a hut in the Alps than in a kitchen by the sea. "
    "A pressure cooker does the opposite: it raises the pressure, and with it the boiling point, "
    "which is why beans that take two hours in a pot are done in twenty minutes. "
    "Salt raises the boiling point too, but by so little that it makes no difference to the cook."
)
CONTEXT = 64
HUB_ID = "HuggingFaceTB/SmolLM2-135M-Instruct"  # the demo model's repository


@dataclasses.dataclass
class Result:
    """One line of the report: PASS or FAIL, the measured difference against its tolerance."""
    status: str
    difference: float | None = None
    tolerance: float | None = None
    note: str = ""


def compare(difference, tolerance, note="", effect=None):
    """PASS when `difference` is within `tolerance`. With `effect` (how much the thing checked changes the
    numbers), a check whose effect a tolerance could hide fails: it could not tell right from ignored."""
    if effect is not None:
        note = f"effect {effect:.2e}; {note}" if note else f"effect {effect:.2e}"
        if effect < 10 * tolerance:
            return Result("FAIL", difference, tolerance, note + " (too small to tell right from ignored)")
    return Result("PASS" if difference <= tolerance else "FAIL", difference, tolerance, note)


def agree(condition, note):
    """PASS or FAIL for an exact check with no number to measure."""
    return Result("PASS" if condition else "FAIL", None, None, note)


class Context:
    """The Quench binary, the work folder, and files and numbers made once and shared by the checks."""

    def __init__(self, quench, work, gguf_model, repo):
        self.quench, self.work, self.gguf_model = quench, pathlib.Path(work), pathlib.Path(gguf_model)
        self.repo = pathlib.Path(repo)
        self.made = {}

    def once(self, key, make):
        """make() the first time `key` is asked for, the same value after (a failure is kept and re-raised)."""
        if key not in self.made:
            try:
                self.made[key] = (True, make())
            except Exception as error:  # noqa: BLE001 - kept for every check that needs it
                self.made[key] = (False, error)
        succeeded, value = self.made[key]
        if not succeeded:
            raise value
        return value

    def fresh(self, name):
        """An absent path `name` in the work folder (removed first if an earlier run left it)."""
        path = self.work / name
        if path.is_dir():
            shutil.rmtree(path)
        elif path.exists():
            path.unlink()
        return path

    def output(self, name, *arguments):
        """The path `name` in the work folder that `quench ARGUMENTS --out PATH` writes, run once."""
        def make():
            path = self.fresh(name)
            self.quench.run(*arguments, "--out", path)
            return path
        return self.once(("output", name), make)

    @property
    def base(self):
        """The demo GGUF imported by `quench import`: a Hugging Face directory transformers and PEFT load."""
        return self.output("base-hf", "import", self.gguf_model)

    @property
    def hub_base(self):
        """The imported demo model laid out as huggingface_hub caches HUB_ID
        (models--org--name/snapshots/<commit>/, files linked to base-hf's), for the hub id Quench derives."""
        def make():
            snapshot = self.fresh("hub-cache") / f"models--{HUB_ID.replace('/', '--')}" / "snapshots" / ("0" * 40)
            snapshot.mkdir(parents=True)
            for file in self.base.iterdir():
                (snapshot / file.name).symlink_to(file)
            return snapshot
        return self.once("hub base", make)

    @property
    def text_file(self):
        """TEXT as a .txt evaluation set."""
        def make():
            path = self.work / "text.txt"
            path.write_text(TEXT)
            return path
        return self.once("text", make)

    def ids(self, folder):
        """TEXT's token ids (1, n) by the tokenizer in `folder`, as Quench tokenizes a .txt set."""
        tokenizer = AutoTokenizer.from_pretrained(folder)
        return torch.tensor([tokenizer(TEXT, add_special_tokens=False)["input_ids"]])


def slug(name):
    """A file name for a check's model or adapter name."""
    return "".join(character if character.isalnum() else "-" for character in name.lower())


def load_model(folder):
    """transformers' model from `folder` in float32, for inference."""
    return AutoModelForCausalLM.from_pretrained(folder, dtype=torch.float32).eval()


@torch.no_grad()
def logits(model, ids):
    """The logits (n, V) of one row of ids."""
    return model(input_ids=ids).logits[0].float()


@torch.no_grad()
def disjoint_nll(model, ids, context=CONTEXT):
    """(Σ NLL, targets) under Quench's disjoint windowing (lm-evaluation-harness rolling windows): `context`
    new targets per window, the last window right-aligned so it reads a full context."""
    targets, total, predicted = ids.shape[1] - 1, 0.0, 0
    while predicted < targets:
        fresh = min(targets - predicted, context)
        end = predicted + fresh
        start = max(0, end - context)
        window_logits = model(input_ids=ids[:, start:end]).logits[0, -fresh:].float()
        total += torch.nn.functional.cross_entropy(window_logits, ids[0, end - fresh + 1:end + 1],
                                                   reduction="sum").item()
        predicted = end
    return total, targets


def loss_against_quench(quench_summary, reference_nll, targets):
    """|Quench's mean loss − the reference's| over the same targets; raises when the target counts differ."""
    if quench_summary["tokens_scored"] != targets:
        raise AssertionError(f"Quench scored {quench_summary['tokens_scored']} tokens, the reference {targets}")
    return abs(quench_summary["summed_nll"] - reference_nll) / targets
