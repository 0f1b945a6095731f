#!/usr/bin/env python3
"""Writes the demo customer file tools/routerd/demo/customers.jsonl (one JSON object a line).

Deterministic: the same seed writes the same file, so the checked-in file can be regenerated
and reviewed as a diff. 300 customers over the four segments (strategic 10%, profitable 20%,
ordinary 60%, risk 10%), about 15% Mandarin speakers, with phone numbers in the assorted
spellings a CRM export holds (routerd normalizes them to E.164), mixed-case e-mail addresses,
web visitor cookies and accounts. A third of the ordinary and profitable customers have no
`segment`: routerd derives it from their values (potential >= 50,000 strategic, current
>= 10,000 profitable, current < 0 risk, else ordinary), so their values are drawn to match.

Usage: tools/routerdemo/make_customers.py [--count N] [--seed S] [--out FILE]
"""
import argparse
import json
import random

EN_FIRST = ["Ada", "Ben", "Cara", "Dan", "Eve", "Finn", "Gina", "Hugo", "Iris", "Jack", "Kate",
            "Liam", "Mia", "Noah", "Olga", "Paul", "Quinn", "Rosa", "Sam", "Tess", "Uma", "Vic",
            "Wes", "Xena", "Yuri", "Zoe"]
EN_LAST = ["Smith", "Jones", "Brown", "Taylor", "Wilson", "Davies", "Evans", "Thomas", "Moore",
           "Clark", "Lewis", "Walker", "Hall", "Young", "King", "Wright", "Green", "Baker"]
ZH_FIRST = ["Wei", "Fang", "Jing", "Lei", "Min", "Hui", "Yan", "Tao", "Xin", "Jun", "Ling",
            "Qiang", "Hong", "Ying"]
ZH_LAST = ["Chen", "Wang", "Li", "Zhang", "Liu", "Yang", "Huang", "Zhao", "Wu", "Zhou"]
AREA_CODES = ["415", "212", "312", "206", "617", "303", "512", "404"]
MAIL_DOMAINS = ["example.com", "example.net", "example.org", "mail.example.com"]
# Agents a customer may ask for by name (center.yaml): account managers for strategic
# customers, Mandarin speakers for zh customers, anyone for the rest.
VIP_AGENTS = ["a35", "a36", "a37", "a38", "a39"]
ZH_AGENTS = ["a07", "a15", "a37", "a40", "a41", "a42", "a43", "a44", "a45", "a48", "a50"]
ALL_AGENTS = ["a%02d" % i for i in range(1, 51)]

SEGMENTS = [("strategic", 0.10), ("profitable", 0.20), ("ordinary", 0.60), ("risk", 0.10)]


def values(rng, segment):
    """(current_value, potential_value) typical of the segment."""
    if segment == "strategic":
        return rng.randrange(500, 8000, 50), rng.randrange(50000, 150000, 1000)
    if segment == "profitable":
        return rng.randrange(10000, 40000, 100), rng.randrange(0, 15000, 500)
    if segment == "risk":
        return -rng.randrange(100, 3000, 10), rng.randrange(0, 1000, 50)
    return rng.randrange(20, 2000, 10), rng.randrange(0, 5000, 100)


def phone_spellings(rng, area, line):
    """One US number in one of the spellings gateways and CRMs produce."""
    return rng.choice([
        "+1 %s 555 %04d" % (area, line),
        "(%s) 555-%04d" % (area, line),
        "%s.555.%04d" % (area, line),
        "+1%s555%04d" % (area, line),
        "1-%s-555-%04d" % (area, line),
    ])


def main():
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--count", type=int, default=300)
    parser.add_argument("--seed", type=int, default=1)
    parser.add_argument("--out", default="tools/routerd/demo/customers.jsonl")
    args = parser.parse_args()
    if not 1 <= args.count <= 800:
        parser.error("--count must be 1..800 (8 area codes x 100 fictional 555-01xx lines)")
    rng = random.Random(args.seed)

    # Fictional numbers only: 555-0100..555-0199 in each area code, never reused.
    numbers = [(a, 100 + n) for a in AREA_CODES for n in range(100)]
    rng.shuffle(numbers)
    used_emails = set()
    used_visitors = set()

    with open(args.out, "w", encoding="utf-8") as out:
        for i in range(args.count):
            segment = rng.choices([s for s, _ in SEGMENTS], [w for _, w in SEGMENTS])[0]
            zh = rng.random() < 0.15
            first = rng.choice(ZH_FIRST if zh else EN_FIRST)
            last = rng.choice(ZH_LAST if zh else EN_LAST)
            current, potential = values(rng, segment)
            record = {"id": "C%d" % (1001 + i), "name": "%s %s" % (first, last)}
            # Strategic and risk customers are tagged by the CRM; a third of the others leave
            # the segment to routerd.
            if segment in ("strategic", "risk") or rng.random() < 0.67:
                record["segment"] = segment
            record["current_value"] = current
            record["potential_value"] = potential
            record["language"] = "zh" if zh else "en"
            if segment == "strategic" and rng.random() < 0.6:
                record["preferred_agent"] = rng.choice(
                    [a for a in VIP_AGENTS if not zh or a in ZH_AGENTS] or VIP_AGENTS)
            elif zh and rng.random() < 0.3:
                record["preferred_agent"] = rng.choice(ZH_AGENTS)
            elif rng.random() < 0.05:
                record["preferred_agent"] = rng.choice(ALL_AGENTS)
            tags = []
            if segment == "strategic":
                tags.append("vip")
            if segment == "risk":
                tags.append(rng.choice(["churn-risk", "payment-overdue"]))
            if rng.random() < 0.2:
                tags.append(rng.choice(["newsletter", "beta", "reseller", "student"]))
            record["tags"] = tags

            phones = []
            area, line = numbers.pop()
            phones.append(phone_spellings(rng, area, line))
            if rng.random() < 0.25:
                area, line = numbers.pop()
                phones.append(phone_spellings(rng, area, line))
            if zh and rng.random() < 0.4:
                # A number in China as well (Shanghai landline, fictional).
                phones.append("+86 21 5555 %04d" % (1000 + i))
            record["phones"] = phones

            emails = []
            for n in range(1 if rng.random() < 0.8 else 2):
                while True:
                    local = "%s.%s%s" % (first.lower(), last.lower(),
                                         "" if n == 0 else str(rng.randrange(10, 99)))
                    if local in used_emails:
                        local += str(rng.randrange(100, 999))
                    if local not in used_emails:
                        break
                used_emails.add(local)
                address = "%s@%s" % (local, rng.choice(MAIL_DOMAINS))
                # Some CRMs keep the case the customer typed; routerd lower-cases.
                emails.append(address.title() if rng.random() < 0.15 else address)
            record["emails"] = emails

            visitors = []
            for _ in range(rng.choice([0, 1, 1, 2])):
                visitor = "v-%06x" % rng.randrange(16**6)
                if visitor not in used_visitors:  # every key belongs to one customer
                    used_visitors.add(visitor)
                    visitors.append(visitor)
            record["web_visitors"] = visitors
            record["web_accounts"] = (["acct-%d" % (5000 + i)] if rng.random() < 0.6 else [])
            out.write(json.dumps(record, ensure_ascii=False, separators=(",", ":")) + "\n")


if __name__ == "__main__":
    main()
