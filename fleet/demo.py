"""Demo catalogue: two stores with a tower each, twelve brands, 27 models, 77 vehicles (71 in bays).

Specifications and prices are realistic for the Chinese market but rounded and illustrative,
not a manufacturer's data sheet. Loading is idempotent: whatever exists (by slug or VIN) is
left as it is, so staff edits survive a second run.
"""

from dataclasses import dataclass
from datetime import date, time, timedelta
from decimal import Decimal

from django.db import transaction
from django.db.models import prefetch_related_objects

from fleet.models import (
    Bay,
    BayKind,
    Brand,
    CarModel,
    Paint,
    Store,
    StoreHours,
    Tower,
    Vehicle,
    VehicleStatus,
)
from fleet.services import tower_ensure_bays
from fleet.vin import vin_with_check_digit

# slug: (name, Chinese name, country, world manufacturer identifier used in demo VINs)
BRANDS = {
    "byd": ("BYD", "比亚迪", "CN", "LGX"),
    "tesla": ("Tesla", "特斯拉", "US", "LRW"),
    "nio": ("NIO", "蔚来", "CN", "LJ1"),
    "xpeng": ("XPeng", "小鹏", "CN", "L1N"),
    "li-auto": ("Li Auto", "理想", "CN", "LW4"),
    "xiaomi": ("Xiaomi", "小米", "CN", "LXM"),
    "zeekr": ("Zeekr", "极氪", "CN", "L6T"),
    "ford": ("Ford", "福特", "US", "LVS"),
    "bmw": ("BMW", "宝马", "DE", "LBV"),
    "volkswagen": ("Volkswagen", "大众", "DE", "LSV"),
    "toyota": ("Toyota", "丰田", "JP", "LVG"),
    "mercedes-benz": ("Mercedes-Benz", "梅赛德斯-奔驰", "DE", "LE4"),
}


@dataclass(frozen=True)
class ModelSpec:
    brand: str
    slug: str
    name: str
    name_zh: str
    body: str
    powertrain: str
    seats: int
    power_kw: int
    range_km: int | None
    kwh: str | None
    litres: str | None
    msrp: int
    description: str
    description_zh: str


MODELS = [
    ModelSpec(
        "byd",
        "byd-seal",
        "Seal",
        "海豹",
        "sedan",
        "bev",
        5,
        230,
        650,
        "13.4",
        None,
        179_800,
        "A low, sleek electric saloon with a blade battery built into the body.",
        "低趴流线的纯电轿车，刀片电池与车身一体化设计。",
    ),
    ModelSpec(
        "byd",
        "byd-han-ev",
        "Han EV",
        "汉EV",
        "sedan",
        "bev",
        5,
        380,
        605,
        "14.0",
        None,
        219_800,
        "BYD's flagship saloon: quiet, roomy and quick.",
        "比亚迪旗舰轿车：安静、宽敞、迅捷。",
    ),
    ModelSpec(
        "byd",
        "byd-song-plus-dmi",
        "Song PLUS DM-i",
        "宋PLUS DM-i",
        "suv",
        "phev",
        5,
        145,
        110,
        "15.5",
        "3.8",
        149_800,
        "A family plug-in hybrid SUV that drives most days on electricity alone.",
        "家用插电混动SUV，日常通勤几乎全程用电。",
    ),
    ModelSpec(
        "byd",
        "byd-dolphin",
        "Dolphin",
        "海豚",
        "hatchback",
        "bev",
        5,
        70,
        420,
        "10.3",
        None,
        99_800,
        "A compact electric hatchback for the city, easy to park and cheap to run.",
        "城市纯电两厢车，好停车，用车成本低。",
    ),
    ModelSpec(
        "tesla",
        "tesla-model-3",
        "Model 3",
        "Model 3",
        "sedan",
        "bev",
        5,
        194,
        634,
        "12.0",
        None,
        235_500,
        "The best-selling electric saloon, with a minimalist cabin and over-the-air updates.",
        "畅销纯电轿车，极简座舱，支持远程升级。",
    ),
    ModelSpec(
        "tesla",
        "tesla-model-y",
        "Model Y",
        "Model Y",
        "suv",
        "bev",
        5,
        220,
        593,
        "12.7",
        None,
        263_500,
        "A practical electric crossover with a large boot and a glass roof.",
        "实用纯电跨界车，后备厢大，全景玻璃车顶。",
    ),
    ModelSpec(
        "nio",
        "nio-et5",
        "ET5",
        "ET5",
        "sedan",
        "bev",
        5,
        360,
        560,
        "14.5",
        None,
        298_000,
        "A sporty mid-size saloon that swaps its battery in minutes at NIO stations.",
        "运动中型轿车，可在蔚来换电站几分钟内换电。",
    ),
    ModelSpec(
        "nio",
        "nio-es6",
        "ES6",
        "ES6",
        "suv",
        "bev",
        5,
        360,
        500,
        "16.0",
        None,
        338_000,
        "A five-seat electric SUV with twin motors and battery swap.",
        "五座双电机纯电SUV，支持换电。",
    ),
    ModelSpec(
        "xpeng",
        "xpeng-p7-plus",
        "P7+",
        "P7+",
        "sedan",
        "bev",
        5,
        230,
        602,
        "13.0",
        None,
        186_800,
        "A long, roomy fastback with advanced driver assistance.",
        "修长宽敞的溜背轿车，配备高阶辅助驾驶。",
    ),
    ModelSpec(
        "xpeng",
        "xpeng-g6",
        "G6",
        "G6",
        "suv",
        "bev",
        5,
        218,
        625,
        "13.2",
        None,
        176_800,
        "A coupé-styled electric SUV on an 800-volt platform for fast charging.",
        "轿跑风格纯电SUV，800伏平台快充。",
    ),
    ModelSpec(
        "li-auto",
        "li-auto-l6",
        "L6",
        "L6",
        "suv",
        "erev",
        5,
        300,
        212,
        "20.5",
        "6.0",
        249_800,
        "A range-extended family SUV: electric for the city, petrol generator for long trips.",
        "增程式家庭SUV：城市用电，长途有增程器。",
    ),
    ModelSpec(
        "li-auto",
        "li-auto-l9",
        "L9",
        "L9",
        "suv",
        "erev",
        6,
        330,
        280,
        "21.5",
        "7.2",
        409_800,
        "A full-size six-seat range-extended SUV with a lounge-like cabin.",
        "全尺寸六座增程SUV，座舱如客厅般舒适。",
    ),
    ModelSpec(
        "xiaomi",
        "xiaomi-su7",
        "SU7",
        "SU7",
        "sedan",
        "bev",
        5,
        220,
        700,
        "12.3",
        None,
        215_900,
        "Xiaomi's first car: a fast electric saloon tied into the phone ecosystem.",
        "小米首款车型：与手机生态互联的高性能纯电轿车。",
    ),
    ModelSpec(
        "xiaomi",
        "xiaomi-yu7",
        "YU7",
        "YU7",
        "suv",
        "bev",
        5,
        235,
        835,
        "12.9",
        None,
        253_500,
        "A long-range electric SUV with a panoramic head-up display.",
        "长续航纯电SUV，配备全景抬头显示。",
    ),
    ModelSpec(
        "zeekr",
        "zeekr-001",
        "001",
        "001",
        "wagon",
        "bev",
        5,
        400,
        750,
        "15.1",
        None,
        269_000,
        "A shooting-brake estate with twin motors and a very long range.",
        "双电机猎装旅行车，续航很长。",
    ),
    ModelSpec(
        "zeekr",
        "zeekr-007",
        "007",
        "007",
        "sedan",
        "bev",
        5,
        310,
        688,
        "13.6",
        None,
        209_900,
        "A mid-size electric saloon with an illuminated glass front.",
        "中型纯电轿车，前脸为发光玻璃。",
    ),
    ModelSpec(
        "ford",
        "ford-mustang-mach-e",
        "Mustang Mach-E",
        "Mustang Mach-E",
        "suv",
        "bev",
        5,
        216,
        492,
        "15.6",
        None,
        259_900,
        "An electric SUV with Mustang styling and a large central screen.",
        "带有野马基因的纯电SUV，中控大屏。",
    ),
    ModelSpec(
        "ford",
        "ford-explorer",
        "Explorer",
        "探险者",
        "suv",
        "ice",
        7,
        206,
        None,
        None,
        "10.3",
        305_800,
        "A seven-seat petrol SUV for big families and long roads.",
        "七座汽油SUV，适合大家庭与长途旅行。",
    ),
    ModelSpec(
        "bmw",
        "bmw-i3-edrive35l",
        "i3 eDrive35L",
        "i3 eDrive35L",
        "sedan",
        "bev",
        5,
        210,
        526,
        "14.2",
        None,
        353_900,
        "A long-wheelbase electric 3 Series with rear-wheel drive.",
        "长轴距纯电3系，后轮驱动。",
    ),
    ModelSpec(
        "bmw",
        "bmw-x1-sdrive25li",
        "X1 sDrive25Li",
        "X1 sDrive25Li",
        "suv",
        "ice",
        5,
        150,
        None,
        None,
        "6.8",
        299_900,
        "A compact premium SUV with a long-wheelbase cabin made for China.",
        "紧凑型豪华SUV，为中国市场加长轴距。",
    ),
    ModelSpec(
        "volkswagen",
        "volkswagen-id4-crozz",
        "ID.4 CROZZ",
        "ID.4 CROZZ",
        "suv",
        "bev",
        5,
        150,
        560,
        "13.9",
        None,
        199_900,
        "A calm, comfortable electric SUV with a flat floor.",
        "平稳舒适的纯电SUV，纯平地板。",
    ),
    ModelSpec(
        "volkswagen",
        "volkswagen-passat",
        "Passat",
        "帕萨特",
        "sedan",
        "ice",
        5,
        162,
        None,
        None,
        "6.6",
        185_900,
        "A spacious petrol saloon for business and family.",
        "宽敞的汽油轿车，商务家用皆宜。",
    ),
    ModelSpec(
        "toyota",
        "toyota-camry",
        "Camry",
        "凯美瑞",
        "sedan",
        "hev",
        5,
        145,
        None,
        None,
        "4.5",
        171_800,
        "A self-charging hybrid saloon known for reliability.",
        "以可靠著称的油电混动轿车，无需外接充电。",
    ),
    ModelSpec(
        "toyota",
        "toyota-bz3",
        "bZ3",
        "bZ3",
        "sedan",
        "bev",
        5,
        180,
        616,
        "12.0",
        None,
        169_800,
        "An efficient electric saloon co-developed with BYD.",
        "与比亚迪联合开发的高效纯电轿车。",
    ),
    ModelSpec(
        "toyota",
        "toyota-sienna",
        "Sienna",
        "赛那",
        "mpv",
        "hev",
        7,
        184,
        None,
        None,
        "5.3",
        309_800,
        "A seven-seat hybrid MPV with sliding doors on both sides.",
        "七座混动MPV，双侧电动滑门。",
    ),
    ModelSpec(
        "mercedes-benz",
        "mercedes-benz-c260l",
        "C 260 L",
        "C 260 L",
        "sedan",
        "ice",
        5,
        150,
        None,
        None,
        "7.0",
        339_900,
        "A long-wheelbase premium saloon with a calm, refined ride.",
        "长轴距豪华轿车，乘坐沉稳精致。",
    ),
    ModelSpec(
        "mercedes-benz",
        "mercedes-benz-glc300l",
        "GLC 300 L",
        "GLC 300 L",
        "suv",
        "ice",
        5,
        190,
        None,
        None,
        "8.0",
        428_800,
        "A premium mid-size SUV with four-wheel drive.",
        "中型豪华SUV，四轮驱动。",
    ),
]

# name, Chinese name, hex. Every model gets the first three and a rotating pick of the rest.
PALETTE_BASE = [
    ("Pearl White", "珍珠白", "#F2F2EE"),
    ("Obsidian Black", "曜石黑", "#17181B"),
    ("Lunar Silver", "月光银", "#B9BDC3"),
]
PALETTE_EXTRA = [
    ("Ocean Blue", "海洋蓝", "#1F4E8C"),
    ("Crimson Red", "赤焰红", "#A3161D"),
    ("Graphite Grey", "石墨灰", "#4A4E54"),
    ("Forest Green", "森林绿", "#2E5A44"),
    ("Aurora Teal", "极光青", "#2A8C8C"),
    ("Sunset Orange", "日落橙", "#D8642A"),
    ("Twilight Purple", "暮光紫", "#5B4A7A"),
]

STORES = [
    # slug, name, zh, city, zh, address, zh, hours, tower (code, name, levels, bays/level, lifts, delivery)
    (
        "shanghai-hongqiao",
        "Shanghai Hongqiao",
        "上海虹桥店",
        "Shanghai",
        "上海",
        "88 Shenhong Road, Minhang District, Shanghai",
        "上海市闵行区申虹路88号",
        (time(9), time(21)),
        ("sha-t1", "Hongqiao Tower", 8, 6, 2, 2),
    ),
    (
        "nanjing-hexi",
        "Nanjing Hexi",
        "南京河西店",
        "Nanjing",
        "南京",
        "222 Jiangdong Middle Road, Jianye District, Nanjing",
        "南京市建邺区江东中路222号",
        (time(10), time(20)),
        ("nkg-t1", "Hexi Tower", 5, 8, 1, 2),
    ),
]

# Size, boot and charging per model: approximate published figures (makers' sites and launch
# material for the Chinese versions, rounded; charging times are the makers' claims under ideal
# conditions), not a data sheet. The data migration ``fleet.*_demo_model_sizes`` wrote the same
# numbers into databases that already had the demo models.
SIZES: dict[str, tuple[int, int, int, int, int, str | None, int | None, int | None]] = {
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


def _size_fields(slug: str) -> dict[str, object]:
    size = SIZES.get(slug)
    if size is None:
        return {}
    length, width, height, wheelbase, boot, ac, dc, minutes = size
    return {
        "length_mm": length,
        "width_mm": width,
        "height_mm": height,
        "wheelbase_mm": wheelbase,
        "boot_litres": boot,
        "charge_ac_kw": Decimal(ac) if ac else None,
        "charge_dc_kw": dc,
        "charge_10_80_minutes": minutes,
    }


# Vehicles per model and store: the first store takes 42, the second 35. A few are out on a
# drive or in maintenance (no bay), so "available now" means something in the demo.
VEHICLES_PER_STORE = {"shanghai-hongqiao": 42, "nanjing-hexi": 35}
NOT_IN_TOWER = {5: VehicleStatus.ON_DRIVE, 17: VehicleStatus.ON_DRIVE, 29: VehicleStatus.MAINTENANCE}


def _brands() -> dict[str, Brand]:
    brands = {}
    for slug, (name, name_zh, country, _wmi) in BRANDS.items():
        brands[slug], _ = Brand.objects.get_or_create(
            slug=slug, defaults={"name": name, "name_zh": name_zh, "country": country}
        )
    return brands


def _models(brands: dict[str, Brand]) -> list[CarModel]:
    models = []
    for index, spec in enumerate(MODELS):
        car_model, created = CarModel.objects.get_or_create(
            slug=spec.slug,
            defaults={
                "brand": brands[spec.brand],
                "name": spec.name,
                "name_zh": spec.name_zh,
                "model_year": 2026,
                "body_type": spec.body,
                "powertrain": spec.powertrain,
                "seats": spec.seats,
                "power_kw": spec.power_kw,
                "electric_range_km": spec.range_km,
                "energy_kwh_per_100km": Decimal(spec.kwh) if spec.kwh else None,
                "fuel_l_per_100km": Decimal(spec.litres) if spec.litres else None,
                "msrp_cny": spec.msrp,
                "description": spec.description,
                "description_zh": spec.description_zh,
                **_size_fields(spec.slug),
            },
        )
        if created:
            extra = [PALETTE_EXTRA[(index + k) % len(PALETTE_EXTRA)] for k in range(index % 4)]
            Paint.objects.bulk_create(
                Paint(car_model=car_model, name=n, name_zh=zh, hex=hx, position=p)
                for p, (n, zh, hx) in enumerate(PALETTE_BASE + extra)
            )
        models.append(car_model)
    return models


def _stores() -> list[tuple[Store, Tower]]:
    result = []
    for slug, name, name_zh, city, city_zh, address, address_zh, (opens, closes), tower_spec in STORES:
        store, created = Store.objects.get_or_create(
            slug=slug,
            defaults={
                "name": name,
                "name_zh": name_zh,
                "city": city,
                "city_zh": city_zh,
                "address": address,
                "address_zh": address_zh,
                "time_zone": "Asia/Shanghai",
            },
        )
        if created:
            StoreHours.objects.bulk_create(
                StoreHours(store=store, weekday=d, opens=opens, closes=closes) for d in range(7)
            )
        code, tower_name, levels, per_level, lifts, delivery = tower_spec
        tower, _ = Tower.objects.get_or_create(
            code=code,
            defaults={
                "store": store,
                "name": tower_name,
                "levels": levels,
                "bays_per_level": per_level,
                "lifts": lifts,
                "delivery_bays": delivery,
            },
        )
        tower_ensure_bays(tower=tower)
        result.append((store, tower))
    return result


def _demo_vin(wmi: str, model_index: int, serial: int) -> str:
    # VDS from the model index in letters VINs allow; year code T (2026); plant S.
    letters = "ABCDEFGHJKLMNPRSTUVWXYZ"
    vds = f"{letters[model_index % 23]}{letters[(model_index // 23) % 23]}2E1"
    return vin_with_check_digit(f"{wmi}{vds}0TS{serial:06d}")


def _vehicles(models: list[CarModel], stores: list[tuple[Store, Tower]]) -> int:
    # Every vehicle reads its model's brand and paints: load them once, not per vehicle.
    prefetch_related_objects(models, "brand", "paints")
    created = 0
    serial = 0
    for store, tower in stores:
        free_bays = list(
            Bay.objects.filter(
                tower=tower, kind=BayKind.STORAGE, is_enabled=True, vehicle__isnull=True
            ).order_by("level", "position")
        )
        for k in range(VEHICLES_PER_STORE[store.slug]):
            serial += 1
            # Spread models over stores so each store has a different mix, some models in both.
            model_index = (k * 7 + (0 if store.slug.startswith("shanghai") else 3)) % len(models)
            car_model = models[model_index]
            paints = list(car_model.paints.all())
            wmi = BRANDS[car_model.brand.slug][3]
            vin = _demo_vin(wmi, model_index, serial)
            if Vehicle.objects.filter(vin=vin).exists():
                continue
            status = NOT_IN_TOWER.get(k, VehicleStatus.STORED)
            bay = None
            if status == VehicleStatus.STORED:
                if not free_bays:
                    continue  # the tower is full (staff filled it): leave it as it is
                bay = free_bays.pop(0)
            Vehicle.objects.create(
                vin=vin,
                car_model=car_model,
                paint=paints[k % len(paints)],
                store=store,
                bay=bay,
                status=status,
                odometer_km=15 + (serial * 37) % 900,
                built_on=demo_build_date(model_year=car_model.model_year, serial=serial),
                energy_level_pct=70 + (serial * 13) % 31,
            )
            created += 1
    return created


def demo_build_date(*, model_year: int, serial: int) -> date:
    """A plausible build date for a demo car: in the autumn before its model year, or during it,
    spread by the car's number so the cars of one model differ."""
    return date(model_year - 1, 9, 1) + timedelta(days=(serial * 53) % 300)


@transaction.atomic
def demo_load_fleet() -> dict[str, int]:
    """Create the demo catalogue, stores, towers and vehicles that are missing."""
    brands = _brands()
    models = _models(brands)
    stores = _stores()
    new_vehicles = _vehicles(models, stores)
    return {"brands": len(brands), "models": len(models), "stores": len(stores), "new_vehicles": new_vehicles}
