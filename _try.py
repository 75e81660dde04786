import sys
from crawler.normalize.pay import parse_pay_detail
for line in sys.stdin:
    line=line.rstrip("\n")
    if not line: continue
    t, _, h = line.partition("|")
    p, r = parse_pay_detail(t, currency_hint=h or None)
    print(f"{t!r:40} ->", (p.pay_type, p.min, p.max, p.currency, p.period, p.currency_rule) if p else r)
