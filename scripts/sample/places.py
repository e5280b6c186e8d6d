"""The places of 云河市: its districts, roads, addresses with coordinates,
villages and communities, and the longitude/latitude data items.
"""

from __future__ import annotations

import functools
import math
import random
from dataclasses import dataclass

from sample.common import coord, rng_for, weighted
from sample.model import fld

# ------------------------------------------------------------------ places


@dataclass(frozen=True)
class District:
    code: str
    name: str
    short: str  # used in document numbers, e.g. 新市监许〔2026〕12号
    lon: float
    lat: float
    spread: float  # degrees
    streets: tuple[str, ...]  # 街道 / 乡镇

    @property
    def urban(self) -> bool:
        return self.code != "990121"


DISTRICTS = (
    District("990102", "新城区", "新", 108.342, 27.528, 0.020,
             ("政务新区街道", "锦绣街道", "学府街道", "高铁新城街道")),
    District("990103", "老城区", "老", 108.292, 27.503, 0.014,
             ("府前街道", "中山街道", "东门街道", "滨江街道", "南湖街道")),
    District("990111", "江北区", "江", 108.300, 27.562, 0.018,
             ("江北街道", "白鹭洲街道", "工业园街道", "柳岸街道")),
    District("990112", "河东区", "河", 108.386, 27.490, 0.018,
             ("河东街道", "凤凰街道", "玉泉街道", "龙泉镇")),
    District("990121", "云山县", "云山", 108.180, 27.400, 0.050,
             ("云山镇", "白沙镇", "青石镇", "龙溪乡", "大坪乡")),
)
BY_CODE = {d.code: d for d in DISTRICTS}
URBAN = tuple(d for d in DISTRICTS if d.urban)
COUNTY = BY_CODE["990121"]

ROAD_PREFIXES = (
    ("人民", "Renmin"), ("解放", "Jiefang"), ("中山", "Zhongshan"), ("建设", "Jianshe"),
    ("新华", "Xinhua"), ("文化", "Wenhua"), ("青年", "Qingnian"), ("东风", "Dongfeng"),
    ("胜利", "Shengli"), ("和平", "Heping"), ("朝阳", "Chaoyang"), ("光明", "Guangming"),
    ("金桂", "Jingui"), ("翠湖", "Cuihu"), ("望江", "Wangjiang"), ("桂花", "Guihua"),
    ("兴业", "Xingye"), ("科技", "Keji"), ("创业", "Chuangye"), ("振兴", "Zhenxing"),
    ("学府", "Xuefu"), ("府前", "Fuqian"), ("玉泉", "Yuquan"), ("龙泉", "Longquan"),
    ("凤凰", "Fenghuang"), ("白鹭", "Bailu"), ("锦绣", "Jinxiu"), ("环城", "Huancheng"),
    ("迎宾", "Yingbin"), ("工业", "Gongye"), ("滨江", "Binjiang"), ("南湖", "Nanhu"),
    ("长虹", "Changhong"), ("紫薇", "Ziwei"), ("梧桐", "Wutong"), ("高铁", "Gaotie"),
    ("政通", "Zhengtong"), ("银杏", "Yinxing"), ("香樟", "Xiangzhang"), ("柳岸", "Liu'an"),
    ("云河", "Yunhe"), ("云山", "Yunshan"), ("白沙", "Baisha"), ("青石", "Qingshi"),
    ("龙溪", "Longxi"), ("大坪", "Daping"), ("茶园", "Chayuan"), ("五里", "Wuli"),
    ("东门", "Dongmen"), ("西门", "Ximen"), ("北门", "Beimen"), ("河东", "Hedong"),
    ("江北", "Jiangbei"), ("新城", "Xincheng"), ("万寿", "Wanshou"), ("丰收", "Fengshou"),
    ("春晖", "Chunhui"), ("星光", "Xingguang"), ("沿河", "Yanhe"), ("太平", "Taiping"),
)
ROAD_TYPES = (("路", "Lu"), ("街", "Jie"), ("大道", "Dadao"), ("巷", "Xiang"))
DIRECTIONS = (("东", "Dong"), ("西", "Xi"), ("南", "Nan"), ("北", "Bei"), ("中", "Zhong"))
# Syllables for villages, mountains and rivers of 云山县, with their pinyin.
PLACE_FIRST = (("白", "Bai"), ("青", "Qing"), ("龙", "Long"), ("石", "Shi"), ("马", "Ma"),
               ("杨", "Yang"), ("柳", "Liu"), ("桃", "Tao"), ("高", "Gao"), ("黄", "Huang"),
               ("新", "Xin"), ("上", "Shang"), ("下", "Xia"), ("茶", "Cha"), ("松", "Song"),
               ("竹", "Zhu"), ("沙", "Sha"), ("红", "Hong"), ("金", "Jin"), ("云", "Yun"),
               ("凤", "Feng"), ("鹿", "Lu"), ("梨", "Li"), ("枫", "Feng"), ("田", "Tian"))
PLACE_SECOND = (("坪", "ping"), ("塘", "tang"), ("溪", "xi"), ("寨", "zhai"), ("坝", "ba"),
                ("湾", "wan"), ("冲", "chong"), ("岭", "ling"), ("坡", "po"), ("田", "tian"),
                ("口", "kou"), ("林", "lin"), ("桥", "qiao"), ("山", "shan"), ("庄", "zhuang"))


@dataclass(frozen=True)
class Road:
    name: str
    pinyin: str
    district: District
    lon: float
    lat: float
    angle: float
    length: int  # metres
    town: str  # the street (街道/乡镇) it lies in

    def point(self, u: float) -> tuple[float, float]:
        """The point at fraction ``u`` of the road's length."""
        half = (u - 0.5) * self.length
        return (self.lon + half * math.cos(self.angle) / 98_600,
                self.lat + half * math.sin(self.angle) / 111_000)


@dataclass(frozen=True)
class Place:
    road: Road
    number: int
    lon: float
    lat: float

    @property
    def district(self) -> District:
        return self.road.district

    @property
    def address(self) -> str:
        town = f"{self.road.town}" if not self.district.urban else ""
        return f"云河市{self.district.name}{town}{self.road.name}{self.number}号"

    @property
    def lon_text(self) -> str:
        return coord(self.lon)

    @property
    def lat_text(self) -> str:
        return coord(self.lat)


@functools.cache
def roads() -> tuple[Road, ...]:
    rng = rng_for("roads")
    counts = {"990102": 18, "990103": 20, "990111": 16, "990112": 16, "990121": 12}
    used: set[str] = set()
    out = []
    for district in DISTRICTS:
        made = 0
        while made < counts[district.code]:
            prefix, prefix_py = rng.choice(ROAD_PREFIXES)
            kind, kind_py = weighted(rng, list(zip(ROAD_TYPES, (6, 2, 1, 1), strict=True)))
            if kind in ("路", "街") and rng.random() < 0.3:
                direction, direction_py = rng.choice(DIRECTIONS)
                name = prefix + direction + kind
                pinyin = f"{prefix_py} {direction_py}{kind_py.lower()}"
            else:
                name, pinyin = prefix + kind, f"{prefix_py} {kind_py}"
            if name in used:
                continue
            used.add(name)
            scale = 1.4 if not district.urban else 1.0
            lon = district.lon + rng.gauss(0, district.spread) * scale
            lat = district.lat + rng.gauss(0, district.spread * 0.8) * scale
            length = rng.randrange(160, 620, 10) if kind == "巷" else rng.randrange(900, 5200, 50)
            out.append(Road(name, pinyin, district, lon, lat, rng.uniform(0, math.pi), length,
                            rng.choice(district.streets)))
            made += 1
    return tuple(out)


def roads_in(*districts: District) -> list[Road]:
    return [r for r in roads() if r.district in districts]


def place_on(rng: random.Random, road: Road) -> Place:
    u = rng.random()
    lon, lat = road.point(u)
    number = max(1, int(u * road.length / 9)) // 2 * 2 + rng.choice((1, 2))
    return Place(road, number, lon + rng.uniform(-4e-4, 4e-4), lat + rng.uniform(-4e-4, 4e-4))


def place(rng: random.Random, *districts: District) -> Place:
    pool = roads_in(*(districts or DISTRICTS))
    return place_on(rng, rng.choice(pool))


def urban_place(rng: random.Random) -> Place:
    """A place in one of the four urban districts, weighted by population."""
    district = weighted(rng, [(d, w) for d, w in zip(URBAN, (3, 4, 3, 3), strict=True)])
    return place(rng, district)


def village_names(rng: random.Random, count: int) -> list[tuple[str, str]]:
    """Distinct two-syllable village names of 云山县 with their pinyin."""
    seen: dict[str, str] = {}
    while len(seen) < count:
        (a, apy), (b, bpy) = rng.choice(PLACE_FIRST), rng.choice(PLACE_SECOND)
        seen.setdefault(a + b, apy + bpy)
    return sorted(seen.items())


def community_names(rng: random.Random, district: District, street: str, count: int) -> list[str]:
    if not district.urban or street.endswith(("镇", "乡")):
        return [f"{name}村" for name, _ in village_names(rng, count)]
    words = ("阳光", "和谐", "幸福", "春华", "金桂", "翠苑", "文昌", "康乐", "滨河", "长青",
             "桂苑", "新村", "景秀", "安居", "紫荆", "丽园")
    return [f"{w}社区" for w in rng.sample(words, count)]


LON = fld("longitude", "number", "经度", "WGS84 坐标系经度", "度")
LAT = fld("latitude", "number", "纬度", "WGS84 坐标系纬度", "度")
