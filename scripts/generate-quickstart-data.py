#!/usr/bin/env python3
"""Generates the quickstart task: extract a person's details from a sentence as a one-line JSON record.

Seeded, so the committed files are reproducible: `python3 scripts/generate-quickstart-data.py`
rewrites jobs/data/contact-extraction-train.jsonl and evaluations/quickstart/contact-extraction-eval.jsonl
byte for byte. Every answer is checkable: it is the JSON object the sentence was built from.
The evaluation set uses first names the training set never contains, so a tuned model has to
extract, not remember. The record's keys (person, years, home, role) are not named in the prompt: the
base model has to guess them, the tuned one has learnt them, which is what the gate's improvement
check measures. No e-mail addresses, phone numbers or other PII kinds the data scan looks for.
"""
import json
import random
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
TRAIN = ROOT / "jobs" / "data" / "contact-extraction-train.jsonl"
EVAL = ROOT / "evaluations" / "quickstart" / "contact-extraction-eval.jsonl"

TRAIN_FIRST = ["Maria", "Jonas", "Aiko", "Pedro", "Fatima", "Lukas", "Chen", "Amara", "Oskar", "Priya",
               "Diego", "Ingrid", "Kofi", "Elena", "Tomas", "Yara", "Hugo", "Leila", "Mateo", "Nadia",
               "Rafael", "Sofia", "Anders", "Mei", "Omar", "Greta", "Ivan", "Zara", "Felix", "Noor"]
EVAL_FIRST = ["Beatriz", "Kenji", "Astrid", "Tariq", "Liv", "Marco", "Hana", "Emil", "Rosa", "Dmitri"]
LAST = ["Lopez", "Berg", "Tanaka", "Silva", "Haddad", "Novak", "Okafor", "Larsen", "Costa", "Kowalski",
        "Ahmed", "Fischer", "Moreau", "Rossi", "Nguyen", "Jensen", "Duarte", "Sato", "Petrov", "Keller"]
CITIES = ["Lisbon", "Oslo", "Kyoto", "Recife", "Beirut", "Prague", "Lagos", "Aarhus", "Porto", "Krakow",
          "Cairo", "Munich", "Lyon", "Turin", "Hanoi", "Bergen", "Seville", "Osaka", "Sofia", "Zurich"]
JOBS = ["nurse", "engineer", "teacher", "baker", "pilot", "chemist", "architect", "librarian", "farmer",
        "translator", "carpenter", "dentist", "journalist", "electrician", "economist"]
SENTENCES = [
    "{name} is {age} years old and works as {a_job} in {city}.",
    "Meet {name}, {age}, {a_job} based in {city}.",
    "{name} ({age}) works as {a_job} in {city}.",
    "Living in {city}, {name} is {age} and works as {a_job}.",
    "Our new {job}, {name}, is {age} years old and moved here from {city}.",
    "At {age}, {name} has been {a_job} in {city} for years.",
]
PROMPTS = [
    "Extract the person record from this text:\n{sentence}",
    "Person record, please:\n{sentence}",
]


def record(rng: random.Random, first_names: list[str]) -> dict:
    name, age = f"{rng.choice(first_names)} {rng.choice(LAST)}", rng.randint(19, 78)
    city, job = rng.choice(CITIES), rng.choice(JOBS)
    a_job = ("an " if job[0] in "aeiou" else "a ") + job
    sentence = rng.choice(SENTENCES).format(name=name, age=age, city=city, job=job, a_job=a_job)
    prompt = rng.choice(PROMPTS).format(sentence=sentence)
    answer = json.dumps({"person": name, "years": age, "home": city, "role": job}, separators=(", ", ": "))
    return {"messages": [{"role": "user", "content": prompt}, {"role": "assistant", "content": answer}]}


def write(path: Path, records: list[dict]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    temporary = path.with_suffix(".tmp")
    temporary.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in records), encoding="utf-8")
    temporary.replace(path)


def main() -> None:
    rng = random.Random(20261121)
    write(TRAIN, [record(rng, TRAIN_FIRST) for _ in range(320)])
    write(EVAL, [record(rng, EVAL_FIRST) for _ in range(48)])


if __name__ == "__main__":
    main()
