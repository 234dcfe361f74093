"""Test data for components: a small manufacturers table and a 290-part list whose counts are obvious.

The table below is a test fixture, not reference data: its rows are not sourced and must not be
cited. The part list is built so that a hand count gives CAR's Kharkiv headline:

    290 parts, 26 firms, 8 countries; 219 US parts (75.5%);
    date codes 2019: 40, 2020: 60, 2021: 60, 2022: 60, 2023: 70 -> most 2021-2023;
    newest date code 2310 (ISO week 10 of 2023, Monday 2023-03-06).

Brands are printed in mixed forms ("TI", "Texas Instruments", "TEXAS INSTR.", "ON Semiconductor",
"onsemi", "ATMEL", "Maxim"...), and some rows give a part number only (ADXL345 -> Analog Devices).
"""

from __future__ import annotations

import csv
import io
from pathlib import Path

from fieldkit.components.attribution import ManufacturerIndex
from fieldkit.reference.tables import ManufacturerRow

SOURCE = "test fixture (not reference data)"

# id, firm, country, aliases, prefixes, former_names, source
FIRMS = [
    ("texas-instruments", "Texas Instruments", "US", "TI|Texas Instruments|Texas Inst", "", "National Semiconductor@2011", SOURCE),
    ("analog-devices", "Analog Devices", "US", "ADI|Analog Devices", "ADXL|MAX", "Linear Technology@2017|Maxim Integrated@2021",
     "ADXL: ADI datasheet ; MAX prefix: Maxim datasheet MAX4684"),
    ("microchip", "Microchip Technology", "US", "Microchip|MCHP", "ATmega|PIC", "Atmel@2016",
     "ATmega: Atmel datasheet ; PIC: Microchip datasheet"),
    ("onsemi", "onsemi", "US", "onsemi|ON Semiconductor|ON Semi", "", "Fairchild Semiconductor@2016", SOURCE),
    ("intel", "Intel", "US", "Intel", "", "Altera@2015", SOURCE),
    ("amd", "AMD", "US", "AMD|Advanced Micro Devices", "", "Xilinx@2022", SOURCE),
    ("micron", "Micron Technology", "US", "Micron", "", "", SOURCE),
    ("vishay", "Vishay Intertechnology", "US", "Vishay", "", "", SOURCE),
    ("silicon-labs", "Silicon Labs", "US", "Silicon Labs|Silicon Laboratories|SiLabs", "", "", SOURCE),
    ("skyworks", "Skyworks Solutions", "US", "Skyworks", "", "", SOURCE),
    ("lattice", "Lattice Semiconductor", "US", "Lattice", "", "", SOURCE),
    ("diodes", "Diodes Incorporated", "US", "Diodes|Diodes Inc", "", "", SOURCE),
    ("infineon", "Infineon Technologies", "DE", "Infineon|IFX", "", "Cypress Semiconductor@2020", SOURCE),
    ("murata", "Murata Manufacturing", "JP", "Murata", "", "", SOURCE),
    ("renesas", "Renesas Electronics", "JP", "Renesas", "", "Intersil@2017", SOURCE),
    ("rohm", "ROHM", "JP", "ROHM", "", "", SOURCE),
    ("tdk", "TDK", "JP", "TDK|EPCOS", "", "EPCOS@2008", SOURCE),
    ("nxp", "NXP Semiconductors", "NL", "NXP", "", "Freescale Semiconductor@2015", SOURCE),
    ("nexperia", "Nexperia", "NL", "Nexperia", "", "", SOURCE),
    ("flex", "Flex", "SG", "Flex|Flextronics", "", "", SOURCE),
    ("stmicroelectronics", "STMicroelectronics", "CH", "ST|STMicro|STMicroelectronics", "", "", SOURCE),
    ("u-blox", "u-blox", "CH", "u-blox|ublox", "", "", SOURCE),
    ("macronix", "Macronix International", "TW", "Macronix|MXIC", "", "", SOURCE),
    ("winbond", "Winbond Electronics", "TW", "Winbond", "", "", SOURCE),
    ("yageo", "Yageo", "TW", "Yageo|KEMET", "", "KEMET@2020", SOURCE),
    ("gigadevice", "GigaDevice Semiconductor", "CN", "GigaDevice", "", "", SOURCE),
    # Two firms sharing a brand and a prefix: never counted in the 290 list, used for ambiguity.
    ("samsung-electronics", "Samsung Electronics", "KR", "Samsung|Samsung Electronics", "K4", "", SOURCE),
    ("samsung-electro-mechanics", "Samsung Electro-Mechanics", "KR", "Samsung|SEMCO", "", "", SOURCE),
    ("other-k4", "Other K4 Maker", "JP", "Other K4", "K4", "", SOURCE),
]

MANUFACTURERS_CSV_HEADER = "id,firm,country,aliases,prefixes,former_names,source,notes"


def firm_rows() -> list[ManufacturerRow]:
    columns = ("id", "firm", "country", "aliases", "prefixes", "former_names", "source")
    return [ManufacturerRow(**dict(zip(columns, values))) for values in FIRMS]


def fixture_index() -> ManufacturerIndex:
    return ManufacturerIndex(firm_rows(), version="test-fixture")


def manufacturers_csv() -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    writer.writerow(MANUFACTURERS_CSV_HEADER.split(","))
    for values in FIRMS:
        writer.writerow([*values, ""])
    return out.getvalue()


# (printed brands, cycled; part number; parts). Where the brand is "", the part number alone attributes it.
US_PARTS = [
    (["TI", "Texas Instruments", "TEXAS INSTR."], "SN74HC595", 60),
    (["ADI", "Analog Devices", "Maxim", ""], "ADXL345", 40),
    (["Microchip", "ATMEL", ""], "ATmega328P", 30),
    (["ON Semiconductor", "onsemi", "ON Semi", "ON SEMICONDUCTOR"], "MC7805", 20),
    (["Intel"], "EP4CE6", 10),
    (["AMD", "Xilinx"], "XC7A35T", 10),
    (["Micron"], "MT41K256", 10),
    (["Vishay"], "SI2302", 10),
    (["Silicon Labs", "SiLabs"], "CP2102", 10),
    (["Skyworks"], "SKY13350", 7),
    (["Lattice"], "LCMXO2", 6),
    (["Diodes Inc.", "DIODES"], "AP2112", 6),
]
OTHER_PARTS = [
    (["Infineon", "IFX"], "IRF540", 12),
    (["Murata"], "GRM188", 6), (["Renesas"], "R5F100", 5), (["ROHM"], "BD9G341", 4), (["TDK", "EPCOS"], "B82422", 3),
    (["NXP"], "LPC1768", 6), (["Nexperia"], "BC847", 4),
    (["Flex"], "FX100", 5),
    (["ST", "STMicroelectronics"], "LD1117", 8), (["u-blox"], "NEO-M8N", 4),
    (["Macronix"], "MX25L", 4), (["Winbond"], "W25Q32", 3), (["Yageo", "KEMET"], "RC0603", 2),
    (["GigaDevice"], "GD32F103", 5),
]
# Each country once: how many parts a hand count gives.
EXPECTED_BY_COUNTRY = {"US": 219, "JP": 18, "CH": 12, "DE": 12, "NL": 10, "TW": 9, "CN": 5, "SG": 5}
YEARS = {2019: 40, 2020: 60, 2021: 60, 2022: 60, 2023: 70}


def date_codes() -> list[str]:
    """290 YYWW codes: YEARS parts per year; the newest is 2310, every other 2023 code is earlier."""
    codes = []
    for year, count in YEARS.items():
        for i in range(count):
            week = 10 if (year == 2023 and i == 0) else (1 + i % 9 if year == 2023 else 1 + i % 52)
            codes.append(f"{year % 100:02d}{week:02d}")
    return codes


def khk_rows() -> list[dict[str, str]]:
    """The 290 rows, one part each."""
    rows = []
    for brands, part, count in US_PARTS + OTHER_PARTS:
        for i in range(count):
            rows.append({"part_number": f"{part}-{i:03d}", "manufacturer": brands[i % len(brands)]})
    for row, code in zip(rows, date_codes()):
        row["date_code"] = code
    assert len(rows) == 290
    return rows


def write_khk_csv(path: Path, *, header=("Part Number", "Manufacturer", "DATE_CODE", "quantity")) -> Path:
    """The 290 rows as CSV, with headers in mixed case and order as a spreadsheet might give them."""
    keys = {"Part Number": "part_number", "Manufacturer": "manufacturer", "DATE_CODE": "date_code", "quantity": "quantity"}
    with path.open("w", newline="", encoding="utf-8") as fh:
        writer = csv.writer(fh)
        writer.writerow(header)
        for row in khk_rows():
            writer.writerow([row.get(keys[h], "1") for h in header])
    return path
