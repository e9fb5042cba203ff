"""Size, boot and charging for the demo models already in a database (fleet/demo.py fills them for
new ones). Approximate published figures (makers' sites and launch material for the Chinese
versions, rounded; charging times are the makers' claims), not a data sheet. Only empty fields are
filled: a figure staff entered stays as it is. Frozen here, as a migration's data must be.
"""

from decimal import Decimal

from django.db import migrations

SIZES = {
    # slug: (length, width, height, wheelbase mm; boot L; AC kW, DC peak kW, DC 10-80 % minutes)
    "byd-seal": (4800, 1875, 1460, 2920, 400, "7", 150, 30),
    "byd-han-ev": (4995, 1910, 1495, 2920, 410, "7", 120, 35),
    "byd-song-plus-dmi": (4775, 1890, 1670, 2765, 450, "6.6", 18, None),
    "byd-dolphin": (4290, 1770, 1570, 2700, 345, "7", 60, 40),
    "tesla-model-3": (4720, 1848, 1442, 2875, 594, "11", 170, 25),
    "tesla-model-y": (4797, 1920, 1624, 2890, 854, "11", 175, 27),
    "nio-et5": (4790, 1960, 1499, 2888, 386, "11", 140, 32),
    "nio-es6": (4854, 1995, 1703, 2915, 579, "11", 140, 40),
    "xpeng-p7-plus": (5056, 1937, 1512, 3000, 725, "11", 300, 18),
    "xpeng-g6": (4753, 1920, 1650, 2890, 571, "11", 280, 20),
    "li-auto-l6": (4925, 1960, 1735, 2920, 455, "7", 90, 30),
    "li-auto-l9": (5218, 1998, 1800, 3105, 433, "7", 80, 30),
    "xiaomi-su7": (4997, 1963, 1455, 3000, 517, "7", 210, 25),
    "xiaomi-yu7": (4999, 1996, 1600, 3000, 678, "11", 400, 21),
    "zeekr-001": (4977, 1999, 1533, 3005, 539, "11", 360, 15),
    "zeekr-007": (4865, 1900, 1450, 2928, 462, "11", 500, 11),
    "ford-mustang-mach-e": (4730, 1885, 1625, 2984, 402, "11", 150, 38),
    "ford-explorer": (5063, 2004, 1783, 3025, 515, None, None, None),
    "bmw-i3-edrive35l": (4872, 1846, 1481, 2966, 410, "11", 95, 35),
    "bmw-x1-sdrive25li": (4616, 1845, 1641, 2802, 490, None, None, None),
    "volkswagen-id4-crozz": (4592, 1852, 1629, 2765, 502, "11", 100, 38),
    "volkswagen-passat": (5006, 1850, 1477, 2871, 586, None, None, None),
    "toyota-camry": (4915, 1840, 1450, 2825, 524, None, None, None),
    "toyota-bz3": (4725, 1835, 1475, 2880, 439, "7", 65, 45),
    "toyota-sienna": (5175, 1985, 1765, 3060, 949, None, None, None),
    "mercedes-benz-c260l": (4882, 1820, 1461, 2954, 455, None, None, None),
    "mercedes-benz-glc300l": (4826, 1938, 1696, 2977, 545, None, None, None),
}
FIELDS = (
    "length_mm",
    "width_mm",
    "height_mm",
    "wheelbase_mm",
    "boot_litres",
    "charge_ac_kw",
    "charge_dc_kw",
    "charge_10_80_minutes",
)


def fill(apps, schema_editor):
    CarModel = apps.get_model("fleet", "CarModel")
    for car_model in CarModel.objects.filter(slug__in=SIZES):
        values = list(SIZES[car_model.slug])
        values[5] = Decimal(values[5]) if values[5] else None
        if car_model.powertrain not in ("bev", "phev", "erev"):
            values[5:] = [None, None, None]  # staff made it a car without a plug: no charging
        changed = [
            field
            for field, value in zip(FIELDS, values)
            if getattr(car_model, field) is None and value is not None
        ]
        for field in changed:
            setattr(car_model, field, values[FIELDS.index(field)])
        if changed:
            car_model.save(update_fields=changed)


class Migration(migrations.Migration):
    dependencies = [
        ("fleet", "0010_carmodel_size_boot_charging_photo_renditions"),
    ]

    operations = [
        migrations.RunPython(fill, migrations.RunPython.noop),
    ]
