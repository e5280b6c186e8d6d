"""The bus network of 云河市: stops along corridors between landmarks, and lines.
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass, field

from sample.common import f1, rng_for
from sample.places import BY_CODE, District, roads, roads_in

# ------------------------------------------------------------- bus network

LANDMARKS = (
    ("云河火车站", "990103"), ("高铁云河站", "990102"), ("云河汽车客运总站", "990112"),
    ("市第一人民医院", "990103"), ("市中医医院", "990103"), ("市政府", "990102"),
    ("市政务服务中心", "990102"), ("市体育中心", "990102"), ("云河大学", "990111"),
    ("云河职业技术学院", "990111"), ("滨江公园", "990103"), ("云河湿地公园", "990111"),
    ("江北工业园", "990111"), ("河东农产品批发市场", "990112"), ("凤凰山公园", "990112"),
    ("万象广场", "990102"), ("老城步行街", "990103"), ("医学院附属医院", "990102"),
    ("云山县汽车站", "990121"), ("云山县人民医院", "990121"), ("云雾山景区", "990121"),
    ("白沙镇政府", "990121"), ("青石镇政府", "990121"),
)


@dataclass
class Stop:
    name: str
    district: District
    road: str
    lon: float
    lat: float
    shelter: bool
    stop_id: str = ""
    lines: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class BusLine:
    line_id: str
    name: str
    kind: str
    stops: tuple[Stop, ...]
    first_bus: str
    last_bus: str
    fare: str
    fare_type: str
    length_km: str
    operator: str
    air_conditioned: bool
    headway: str


def _km(a: Stop, b: Stop) -> float:
    return math.hypot((a.lon - b.lon) * 98.6, (a.lat - b.lat) * 111.0)


def _corridor(rng: random.Random, pool: list[Stop], low: int, high: int,
              width: float) -> list[Stop]:
    """Stops near a random straight corridor, in order along it."""
    for _ in range(500):
        angle = rng.uniform(0, math.pi)
        origin = rng.choice(pool)
        ca, sa = math.cos(angle), math.sin(angle)
        near = []
        for stop in pool:
            dx, dy = (stop.lon - origin.lon) * 98.6, (stop.lat - origin.lat) * 111.0
            if abs(-dx * sa + dy * ca) < width:
                near.append((dx * ca + dy * sa, stop.name, stop))
        near.sort(key=lambda item: (item[0], item[1]))
        if len(near) >= low:
            count = rng.randint(low, min(high, len(near)))
            start = rng.randrange(len(near) - count + 1)
            return [item[2] for item in near[start:start + count]]
    raise RuntimeError("no corridor found")


@functools.cache
def bus_network() -> tuple[tuple[Stop, ...], tuple[BusLine, ...]]:
    rng = rng_for("bus-network")
    stops: list[Stop] = []
    names: set[str] = set()

    def add(name: str, district: District, road: str, lon: float, lat: float) -> None:
        if name not in names:
            names.add(name)
            stops.append(Stop(name, district, road, lon, lat, rng.random() < 0.62))

    for road in roads():
        if road.name.endswith("巷"):
            continue
        cross = [r for r in roads_in(road.district) if r is not road and not r.name.endswith("巷")]
        count = max(2, road.length // 420)
        for k in range(count):
            lon, lat = road.point((k + 0.5) / count)
            name = f"{road.name}口" if k == 0 else f"{road.name}{rng.choice(cross).name}口"
            if name in names:
                name = f"{road.name}{'东西南北中'[k % 5]}"
            add(name, road.district, road.name, lon, lat)
    for name, code in LANDMARKS:
        road = rng.choice(roads_in(BY_CODE[code]))
        lon, lat = road.point(rng.random())
        add(name, BY_CODE[code], road.name, lon, lat)
    urban = [s for s in stops if s.district.urban]
    county = [s for s in stops if not s.district.urban]
    terminal = next(s for s in stops if s.name == "云河汽车客运总站")
    plans = [(f"{n}路", "常规公交") for n in range(1, 79) if n not in (4, 14, 44, 54, 64, 74)]
    plans += [(f"K{n}路", "快速公交") for n in range(1, 9)]
    plans += [(f"夜{n}路", "夜班公交") for n in range(1, 5)]
    plans += [(f"城乡{n}路", "城乡公交") for n in range(1, 11)]
    lines = []
    for index, (name, kind) in enumerate(plans, start=1):
        if kind == "城乡公交":
            route = _corridor(rng, county, 8, 18, 2.5)
            if index % 2 == 0:
                route = [terminal, *route]
        elif kind == "快速公交":
            route = _corridor(rng, urban, 10, 16, 0.9)
        else:
            route = _corridor(rng, urban, 12, 30, 0.6)
        length = sum(_km(a, b) for a, b in zip(route, route[1:], strict=False)) * 1.25
        if kind == "夜班公交":
            first, last, headway = "21:30", "01:30", "20-30分钟"
        elif kind == "城乡公交":
            first, last, headway = "06:30", "18:30", "30-60分钟"
        else:
            first = rng.choice(("06:00", "06:10", "06:20", "06:30"))
            last = rng.choice(("21:00", "21:30", "22:00", "22:30"))
            headway = rng.choice(("6-10分钟", "8-12分钟", "10-15分钟", "12-20分钟"))
        fare, fare_type = ("2", "一票制")
        if kind == "夜班公交":
            fare = "3"
        if kind == "城乡公交":
            fare, fare_type = str(max(3, round(length * 0.3))), "分段计价"
        operator = "云山县城乡公共交通有限公司" if kind == "城乡公交" else (
            "云河市公共交通集团有限公司" if index % 3 else "云河市公共交通集团有限公司第二分公司")
        lines.append(BusLine(f"L{index:03d}", name, kind, tuple(route), first, last, fare,
                             fare_type, f1(length), operator, kind != "城乡公交" or index % 3 == 0,
                             headway))
        for stop in route:
            stop.lines.append(name)
    served = [s for s in stops if s.lines]
    for n, stop in enumerate(served, start=1):
        stop.stop_id = f"S{n:04d}"
    return tuple(served), tuple(lines)
