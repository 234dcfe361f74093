"""Audit of classic second-sourced part numbers (issue 13): what the shipped tables give each one.

A researcher meets these numbers on military and dual-use boards: linear regulators, references,
op-amps and comparators, timers, PWM controllers, interface chips, drivers, optocouplers, logic,
discretes and serial memories. Several firms make each under the same number, so the part number
alone must never name one confident firm. Each row is a number as printed (with a realistic
suffix) and what it should give:

- `candidates`: every maker whose own document was read is offered and no firm is chosen;
- `no firm`: fewer than two makers' own documents were found, so the number stays unattributed
  (or gives candidates) rather than naming one firm;
- `one firm`: a control, a maker's own prefix (TI's SN74/TPS/TLC, onsemi's NCP, Maxim's MAX,
  Microchip's AT24, Infineon's IRLML...): single-source, it must still name its maker.

The list is the audit of the s8 multisrc pass (the s9 multisrc2 pass added 4N26-4N28, MOC3022,
MOC3023, PC827, MC7815 and FM24C64; the s9 multisrc3 pass MC78L05, TL062, TIP41C, TIP42C, 2N2219A,
1N914, LL4148, SM712, 6N138 and 6N139; the s10 multisrc4 pass TL061CP, TL064CN, L7812CV, LM1084IT-ADJ,
24C256, HCPL0700 and HCPL4502, and the controls LM1085IT-3.3 and LM1086CT-ADJ; the s10 multisrc5 pass
LD1117S33TR, AO3400A, AO3401A, SI2301CDS, SI2302CDS and SI2312, sold under ST's, AOS's and Vishay's numbers by
other makers; the s11 multisrc6 pass SD103AWS-7-F, twelve PCA95xx/PCF857x I2C expanders, switches and
repeaters, and the controls DS125DF111, TCA9548APWR and PCA9685PW; the s11 milparts pass eleven military forms,
JAN-prefixed JEDEC numbers, DLA drawing and MIL-M-38510 numbers and a /883 number, and the controls
SNJ54LS00J, SMJ320C40GFM50 and AD620SQ/883B; the s12 formerly pass PCA9515ADP, which TI publishes too; the s13 multisrc7
pass 65 numbers common on boards: references, regulators, op-amps, interface, logic, discretes, timers and serial EEPROMs,
among them XC6206P332MR and USBLC6-2SC6, which UMW sells too, ADC0803/ADC0804, which Intersil and Philips published,
ST's and Vishay's SM6T and the MBR10xx rectifiers, with controls such as TXS0108EPWR, CH340G and ADC081C021CIMM), written from the numbers themselves and the
makers' catalogues, never from lists of components found in weapons. tests/test_multisource_audit.py holds
every row to its expectation.

    .venv/bin/python bench/multisource_audit.py [--markdown]
"""

from __future__ import annotations

import argparse
import sys
from collections import Counter
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from fieldkit.components.attribution import attribute  # noqa: E402

CANDIDATES, NO_FIRM, ONE_FIRM = "candidates", "no firm", "one firm"

# (category, part as printed, expected)
AUDIT: tuple[tuple[str, str, str], ...] = tuple(
    (category, part, expected)
    for category, rows in {
        "linear regulators": [
            ("LM7805CT", CANDIDATES), ("LM7812CT", CANDIDATES), ("LM78L05ACZ", CANDIDATES),
            ("LM7905CT", CANDIDATES), ("LM79L05ACZ", CANDIDATES), ("MC7905CT", CANDIDATES),
            ("LM317T", CANDIDATES), ("LM317LZ", CANDIDATES), ("LM337T", CANDIDATES),
            ("LP2950CZ-5.0", CANDIDATES), ("LP2950ACZ-3.3", CANDIDATES),
            ("MC7805CT", CANDIDATES),
            ("L7805CV", NO_FIRM), ("L78L05ACZ", NO_FIRM), ("MC7812CT", NO_FIRM), ("MC7815CT", NO_FIRM),
            ("MC78L05ACP", NO_FIRM),
            ("UA7805C", NO_FIRM),
            ("LM1117IMPX-3.3", CANDIDATES), ("AMS1117-3.3", NO_FIRM), ("LP2985-33DBVR", NO_FIRM),
            ("LM2931AZ-5.0", CANDIDATES), ("LM2940CT-5.0", NO_FIRM), ("LM2937ET-5.0", NO_FIRM),
            ("L7812CV", NO_FIRM), ("LM1084IT-ADJ", NO_FIRM), ("LD1117S33TR", NO_FIRM),  # UMW's LD1117 too (multisrc5)
            ("NCP1117ST33T3G", ONE_FIRM), ("TLV1117-33IDCYR", ONE_FIRM),
            ("LM1085IT-3.3", ONE_FIRM), ("LM1086CT-ADJ", ONE_FIRM),  # National's (TI's); no second maker found
            ("LM1117S-3.3", CANDIDATES), ("HT7333-A", NO_FIRM), ("HT7550-1", NO_FIRM),  # UMW's HT75xx too (multisrc7)
            ("XC6206P332MR", NO_FIRM),  # Torex's and UMW's (UMW's own data sheet; UMW not a firm of the table, multisrc7)
            ("AP2112K-3.3TRG1", ONE_FIRM),  # Diodes' own number; no second maker's document found (multisrc7)
        ],
        "references": [
            ("TL431AIDBZR", CANDIDATES), ("TL431ACLP", CANDIDATES), ("LM4040DIM3-2.5", CANDIDATES),
            ("LM385Z-1.2", CANDIDATES), ("LM285D-1.2", CANDIDATES), ("REF02AU", CANDIDATES),
            ("TL432AIDBZR", NO_FIRM), ("LM336Z-2.5", NO_FIRM),
            ("LM4040AIM3-2.5", CANDIDATES), ("LM4040BIZ-2.5", CANDIDATES), ("REF02BU", CANDIDATES),
        ],
        "op-amps and comparators": [
            ("LM358DR", CANDIDATES), ("LM2904DR", CANDIDATES), ("LM324N", CANDIDATES),
            ("LM393DR", CANDIDATES), ("LM339N", CANDIDATES), ("LM2901DR", CANDIDATES),
            ("LM2903DR", CANDIDATES), ("LMV393IDGKR", CANDIDATES), ("LMV339IPWR", CANDIDATES),
            ("LMV358IDGKR", CANDIDATES), ("LMV321IDBVR", CANDIDATES), ("TL071CP", CANDIDATES),
            ("TL072CP", CANDIDATES), ("TL074CN", CANDIDATES), ("TL081CP", CANDIDATES),
            ("NE5532P", CANDIDATES), ("OP07CP", CANDIDATES),
            ("LM2902DR", CANDIDATES),
            ("TL082CP", CANDIDATES), ("TL084CN", CANDIDATES), ("NE5534P", NO_FIRM),
            ("LM741CN", NO_FIRM), ("UA741CP", NO_FIRM), ("LM311DR", NO_FIRM), ("LM386N-1", NO_FIRM),
            ("MC33078DR", CANDIDATES), ("TL062CP", NO_FIRM), ("TL061CP", NO_FIRM), ("TL064CN", NO_FIRM),
            ("TLC2272CP", ONE_FIRM),
            ("LM358P", CANDIDATES), ("LM324DR", CANDIDATES), ("LM393N", CANDIDATES), ("LM339DR", CANDIDATES),
            ("OP07DP", CANDIDATES), ("NE5532AP", CANDIDATES), ("TL072IDR", CANDIDATES), ("TL074IDR", CANDIDATES),
            ("LMV358IDR", CANDIDATES), ("MCP6002-I/SN", ONE_FIRM),
        ],
        "timers": [
            ("NE555P", CANDIDATES), ("SA555DR", CANDIDATES), ("LM555CN", CANDIDATES),
            ("ICM7555IPAZ", CANDIDATES), ("ICM7556IPDZ", CANDIDATES),
            ("SE555P", CANDIDATES),
            ("NE556N", NO_FIRM), ("LM556CN", NO_FIRM),
            ("TLC555CP", ONE_FIRM), ("LMC555CN", ONE_FIRM),
            ("NE555DR", CANDIDATES), ("TLC555IDR", ONE_FIRM), ("LMC555CM", ONE_FIRM),
        ],
        "PWM and DC/DC controllers": [
            ("UC3842BN", CANDIDATES), ("UC3843BD1R2G", CANDIDATES), ("UC3844N", CANDIDATES),
            ("UC3845N", CANDIDATES), ("MC34063ADR", CANDIDATES), ("LM2596S-5.0", CANDIDATES),
            ("LM2576T-5.0", CANDIDATES),
            ("SG3525AN", CANDIDATES),
            ("TL494CN", CANDIDATES), ("KA3525A", NO_FIRM), ("LM2575T-5.0", CANDIDATES),
            ("LM2596S-ADJ", CANDIDATES), ("LM2576HVS-ADJ", CANDIDATES), ("MC34063AP1", CANDIDATES),
        ],
        "interfaces": [
            ("MAX232CPE", CANDIDATES), ("MAX232N", CANDIDATES), ("MAX3232CSE", CANDIDATES),
            ("MAX3232IDR", CANDIDATES), ("MAX202CPE", CANDIDATES), ("MAX3222CPN", CANDIDATES),
            ("ST232CN", NO_FIRM), ("SP485EEN", NO_FIRM), ("DS75176BN", NO_FIRM), ("MC1488P", NO_FIRM),
            ("SN75176BP", ONE_FIRM), ("MAX485CSA", ONE_FIRM), ("ADM485ARZ", ONE_FIRM),
            ("DS125DF111", ONE_FIRM),  # TI's retimer, no longer read as Maxim's DS12 (multisrc6)
            ("MAX3232ESE", CANDIDATES), ("SP3232EEN", NO_FIRM), ("SP3485EN", NO_FIRM),  # UMW's SP3485E too (multisrc7)
            ("PCA9306DCUR", CANDIDATES), ("TXS0108EPWR", ONE_FIRM), ("SN65HVD230DR", ONE_FIRM), ("CH340G", ONE_FIRM),
        ],
        "converters": [
            ("ADC0804LCN", NO_FIRM),  # National's (TI's), Intersil's and Philips' ADC0804 (copies of the last two, multisrc7)
            ("ADC0803LCN", NO_FIRM), ("ADC081C021CIMM", ONE_FIRM), ("ADC0832CCN", ONE_FIRM),
        ],
        "I2C I/O expanders and switches": [  # Philips (NXP) numbers TI publishes too (multisrc6)
            ("PCA9534PW", CANDIDATES), ("PCA9535PW", CANDIDATES), ("PCA9536D", CANDIDATES), ("PCA9538PW", CANDIDATES),
            ("PCA9539PW", CANDIDATES), ("PCA9544APW", CANDIDATES), ("PCA9548APW", CANDIDATES), ("PCA9554PW", CANDIDATES),
            ("PCA9555PW", CANDIDATES), ("PCA9557PW", CANDIDATES), ("PCA9517ADP", CANDIDATES), ("PCA9515ADP", CANDIDATES), ("PCF8574AT", CANDIDATES), ("PCF8575DBR", CANDIDATES),
            ("TCA9548APWR", ONE_FIRM), ("PCA9685PW", ONE_FIRM),
        ],
        "drivers": [
            ("ULN2003AN", CANDIDATES), ("ULN2003ADR", CANDIDATES), ("ULN2803A", CANDIDATES),
            ("ULN2004A", NO_FIRM),
        ],
        "optocouplers": [
            ("6N137", CANDIDATES), ("H11L1M", CANDIDATES), ("4N35", CANDIDATES), ("4N25", CANDIDATES),
            ("MOC3021M", CANDIDATES), ("MOC3063M", CANDIDATES),
            ("4N26", CANDIDATES), ("4N27", CANDIDATES), ("4N28", CANDIDATES), ("MOC3022M", CANDIDATES),
            ("MOC3023", CANDIDATES), ("PC817C", NO_FIRM), ("PC827", NO_FIRM),
            ("6N136", NO_FIRM), ("CNY17-3", NO_FIRM), ("6N138", CANDIDATES), ("6N139", CANDIDATES),
            ("HCPL0700", NO_FIRM), ("HCPL4502", NO_FIRM),
            ("TLP521-1", ONE_FIRM), ("LTV-817", ONE_FIRM),
        ],
        "logic": [
            ("74HC00", CANDIDATES), ("74HC595D", CANDIDATES), ("74HCT245D", CANDIDATES),
            ("74LVC1G04GW", CANDIDATES), ("74AHC1G04GW", CANDIDATES), ("74HC4051D", CANDIDATES),
            ("74LS00N", NO_FIRM), ("CD4011BE", NO_FIRM), ("HEF4051BT", NO_FIRM), ("74AC04", NO_FIRM),
            ("SN74HC595N", ONE_FIRM), ("SN74LVC1G08DBVR", ONE_FIRM),
            ("74LVC1G14GW", CANDIDATES), ("74AHCT125D", CANDIDATES), ("74LVC245APW", CANDIDATES),
            ("CD4017BE", NO_FIRM), ("CD4051BE", NO_FIRM), ("HEF4013BP", NO_FIRM),
        ],
        "discretes": [
            ("2N2222A", CANDIDATES), ("2N3904BU", CANDIDATES), ("2N7002LT1G", CANDIDATES),
            ("BC857B", CANDIDATES), ("BC847C", CANDIDATES), ("BC337-40", CANDIDATES),
            ("BSS138LT1G", CANDIDATES), ("1N4148W-7-F", CANDIDATES), ("1N4007", CANDIDATES),
            ("1N5819", CANDIDATES), ("BAT54S", CANDIDATES), ("BAV99", CANDIDATES),
            ("MMBT3904LT1G", CANDIDATES), ("MMBT3906LT1G", CANDIDATES), ("MMBT2222ALT1G", CANDIDATES),
            ("SMBJ15A", CANDIDATES), ("SRV05-4.TCT", CANDIDATES), ("MBR0530", CANDIDATES), ("MPSA44", CANDIDATES),
            ("2N3906BU", CANDIDATES), ("MPSA42", CANDIDATES), ("MPSA92", CANDIDATES), ("MPSA06", CANDIDATES),
            ("BC817-25", CANDIDATES), ("BSS84", CANDIDATES), ("BSS123", CANDIDATES), ("TIP120", CANDIDATES),
            ("2N4401", CANDIDATES), ("2N4403", CANDIDATES), ("PN2222A", CANDIDATES), ("PN2907A", CANDIDATES),
            ("MMBT2907ALT1G", CANDIDATES), ("MB6S", CANDIDATES), ("TIP122", CANDIDATES),
            ("2N7000", NO_FIRM), ("BC547B", NO_FIRM), ("SS14", NO_FIRM), ("IRF540", NO_FIRM),
            ("2N3055", NO_FIRM), ("MPSA56", CANDIDATES), ("MMBT4401", CANDIDATES),
            ("TIP41C", CANDIDATES), ("TIP42C", CANDIDATES), ("2N2219A", CANDIDATES), ("1N914", CANDIDATES),
            ("LL4148", CANDIDATES), ("SM712.TCT", CANDIDATES),
            ("AO3400A", NO_FIRM), ("AO3401A", NO_FIRM), ("SI2301CDS", NO_FIRM), ("SI2302CDS", NO_FIRM),
            ("SI2312", NO_FIRM),  # also sold as these numbers by UMW, MCC, HeroMicro (multisrc5)
            ("SD103AWS-7-F", NO_FIRM),  # MCC's and Anbon's SD103AWS beside Diodes' (multisrc6)
            ("IRLML2502TRPBF", ONE_FIRM), ("IRF540N", ONE_FIRM),
            ("2N7002K", CANDIDATES), ("BSS138K", CANDIDATES), ("1N4148WS", CANDIDATES), ("BAT54C", CANDIDATES),
            ("BAT54A", CANDIDATES), ("SMBJ24CA", CANDIDATES), ("SS34", NO_FIRM), ("SMAJ15A", NO_FIRM), ("AO3400", NO_FIRM),
            ("SM6T30CA", NO_FIRM), ("SM6T6V8A", NO_FIRM),  # ST's and Vishay's SM6T series (Vishay's in copies, multisrc7)
            ("USBLC6-2SC6", NO_FIRM),  # ST's and UMW's (UMW not a firm of the table, multisrc7)
            ("MBR1045", NO_FIRM), ("MBR10100CT", NO_FIRM),  # onsemi's, Vishay's and others' MBR10xx (multisrc7)
        ],
        "audio amplifiers": [
            ("TDA2822M", CANDIDATES),
            ("TDA2030A", ONE_FIRM),
        ],
        "military forms": [  # read by fieldkit/components/military.py (milparts pass)
            ("JANTX2N2222A", CANDIDATES), ("JAN2N3904", CANDIDATES), ("JANTXV1N4148-1", CANDIDATES),
            ("JANS2N2222AUB", CANDIDATES),  # the JEDEC number behind the quality level keeps its makers
            ("JANTXV1N5811", NO_FIRM), ("5962-8771601PA", NO_FIRM), ("5962R9679801VXC", NO_FIRM),
            ("5962-9851701QEA", NO_FIRM), ("M38510/10101BCA", NO_FIRM), ("JM38510/11302BCA", NO_FIRM),
            ("LM124AJ/883", NO_FIRM),  # drawing and slash-sheet numbers name no maker; LM124 is second-sourced
            ("SNJ54LS00J", ONE_FIRM), ("SMJ320C40GFM50", ONE_FIRM), ("AD620SQ/883B", ONE_FIRM),
        ],
        "serial memories": [
            ("24LC256-I/SN", NO_FIRM), ("24C02", NO_FIRM), ("93C46", NO_FIRM),
            ("93LC46B-I/SN", NO_FIRM), ("FM24C64", CANDIDATES), ("24C256", NO_FIRM),
            ("M24C02-WMN6TP", ONE_FIRM),  # ST's own M24C prefix and ordering code (attrN)
            ("AT24C256C-SSHU", ONE_FIRM), ("CAT24C256", ONE_FIRM),
            ("24C04", NO_FIRM), ("24C08", NO_FIRM), ("24C16", NO_FIRM), ("24C32", NO_FIRM), ("24C64", NO_FIRM),
            ("24C128", NO_FIRM), ("24C512", NO_FIRM), ("93C56", NO_FIRM), ("93C66", NO_FIRM),
            ("AT24C02D-SSHM-T", ONE_FIRM),
        ],
    }.items()
    for part, expected in rows
)


def outcome(part: str) -> tuple[str, tuple[str, ...]]:
    """What the shipped tables give a number: one firm, candidates (two makers or more) or nothing."""
    result = attribute(part)
    if result.firm_id is not None:
        return ONE_FIRM, (result.firm_id,)
    makers = tuple(sorted({c.firm_id for c in result.candidates}))
    return (CANDIDATES if len(makers) > 1 else NO_FIRM), makers


def meets(expected: str, got: str) -> bool:
    """A `no firm` row may also give candidates; the others must give exactly what they expect."""
    return got == expected or (expected == NO_FIRM and got == CANDIDATES)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--markdown", action="store_true", help="print every row as a Markdown table")
    args = parser.parse_args(argv)
    counts: Counter[tuple[str, str]] = Counter()
    faults = []
    rows = []
    for category, part, expected in AUDIT:
        got, makers = outcome(part)
        counts[(expected, got)] += 1
        if not meets(expected, got):
            faults.append(f"{part}: expected {expected}, got {got} {', '.join(makers)}")
        rows.append(f"| {category} | {part} | {expected} | {got} | {', '.join(makers)} |")
    if args.markdown:
        print("| category | part | expected | gives | firms |\n| --- | --- | --- | --- | --- |")
        print("\n".join(rows))
    print(f"{len(AUDIT)} numbers audited")
    for expected in (CANDIDATES, NO_FIRM, ONE_FIRM):
        given = {got: n for (e, got), n in counts.items() if e == expected}
        print(f"  expected {expected}: " + ", ".join(f"{n} give {got}" for got, n in sorted(given.items())))
    multi = [e for _, _, e in AUDIT if e != ONE_FIRM]
    confident = sum(n for (e, got), n in counts.items() if e != ONE_FIRM and got == ONE_FIRM)
    print(f"  second-sourced numbers ({len(multi)}): {confident} give one confident firm")
    for fault in faults:
        print("FAULT " + fault, file=sys.stderr)
    return 1 if faults else 0


if __name__ == "__main__":
    sys.exit(main())
