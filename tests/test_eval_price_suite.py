"""`jobtrends eval --price-suite`: price-parser's test file read as data (written here in
its format, with strings of our own), scored for parse_pay and price-parser."""

from click.testing import CliRunner

from crawler.cli import main
from crawler.commands._eval_price_suite import eval_price_suite, load_suite

SUITE = """
from decimal import Decimal
from price_parser import Price

class Example(Price):
    pass

PRICE_PARSING_EXAMPLES = [
    Example(None, "Preis 1.249,50 €", "€", "1.249,50", 1249.50),
    Example("Цена", "3 400 руб.", "руб.", "3 400", 3400),
    Example("zł", "89,99", "zł", "89,99", 89.99),
    Example(None, "$ 12.40", "$", "12.40", 12.40),
    Example(None, "Gratis!", None, "0", 0),
    Example(None, "Kostenlos 0,00 €", "€", "0,00", 0),
    Example(None, "Stück 4", None, "4", Decimal("4")),
    Example(None, "n/a", None, None, None),
    Example(None, "CHF", "CHF", "1", 1.0),
    Example("weird", 12, None, None, None),
    print("never run"),
]
PRICE_PARSING_EXAMPLES_XFAIL = [
    Example(None, "1.050 Ft", "Ft", "1.050", 1050),
]
OTHER = [Example(None, "9 €", "€", "9", 9)]
"""


def test_suite_is_read_as_data_and_scored(tmp_path):
    path = tmp_path / "test_price_parsing.py"
    path.write_text(SUITE, encoding="utf-8")
    suite = load_suite(path)
    assert len(suite["main"]) == 9 and len(suite["xfail"]) == 1
    assert suite["skipped"] == 2  # the non-text argument and the print(...) call
    report = eval_price_suite(path)
    text = report["main"]["parse_pay (text)"]
    # "CHF" with amount 1: a label no reader can meet, counted apart.
    assert text["debatable"] == 1 and text["n"] == 8
    assert text["amount_right"] == 8, text["failures"]
    # zł is written only in the context: not judged for the text alone, read from it
    # as a hint otherwise.
    assert text["currency_elsewhere"] == 1
    assert text["currency_judged"] == 3 and text["currency_right"] == 3
    assert text["ambiguous"] == 1 and text["ambiguous_picked"] == 0  # "$": no USD guess
    assert text["free_as_none"] == 2 and text["non_usd_as_usd"] == 0
    context = report["main"]["parse_pay (text + context)"]
    assert context["currency_judged"] == 4 and context["currency_right"] == 4
    assert report["xfail"]["parse_pay (text)"]["amount_right"] == 1
    assert set(report["main"]) == {
        "parse_pay (text)",
        "parse_pay (text + context)",
        "price-parser",
    }


def test_bad_suite_files_are_one_line_errors(tmp_path):
    runner = CliRunner()
    missing = runner.invoke(main, ["eval", "--price-suite", str(tmp_path / "no.py")])
    assert missing.exit_code == 2 and "--price-suite" in missing.output
    empty = tmp_path / "empty.py"
    empty.write_text("X = [1, 2]\n", encoding="utf-8")
    broken = tmp_path / "broken.py"
    broken.write_text("PRICE_PARSING_EXAMPLES = [\n", encoding="utf-8")
    for bad in (empty, broken):
        result = runner.invoke(main, ["eval", "--no-real", "--price-suite", str(bad)])
        assert result.exit_code == 2, result.output
        assert "--price-suite" in result.output and "Traceback" not in result.output
