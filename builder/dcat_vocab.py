"""The vocabularies of the DCAT-AP graph: namespaces and prefixes, the EU data
themes, frequencies, file types and languages the portal's codes map to, and
the description composed for a dataset whose source gave none."""

from __future__ import annotations

from rdflib import Namespace
from rdflib.namespace import DCAT, DCTERMS, FOAF, RDF, RDFS, SKOS, XSD

from domain.catalogue.public_record import PublicRecord

VCARD = Namespace("http://www.w3.org/2006/vcard/ns#")
SPDX = Namespace("http://spdx.org/rdf/terms#")
EU_THEME = Namespace("http://publications.europa.eu/resource/authority/data-theme/")
EU_FREQ = Namespace("http://publications.europa.eu/resource/authority/frequency/")
EU_ACCESS = Namespace("http://publications.europa.eu/resource/authority/access-right/")
EU_FILE_TYPE = Namespace("http://publications.europa.eu/resource/authority/file-type/")
EU_LANGUAGE = Namespace("http://publications.europa.eu/resource/authority/language/")
IANA = "https://www.iana.org/assignments/media-types/"
ZH = "zh"

# Words in a theme's Chinese name → the EU data theme (first match wins).
# By name, not code, so that a bureau's own theme codes map too.
EU_THEME_WORDS: tuple[tuple[str, str], ...] = (
    ("交通", "TRAN"), ("出行", "TRAN"), ("医疗", "HEAL"), ("卫生", "HEAL"), ("健康", "HEAL"),
    ("教育", "EDUC"), ("文化", "EDUC"), ("体育", "EDUC"), ("旅游", "EDUC"),
    ("科技", "TECH"), ("农", "AGRI"), ("林", "AGRI"), ("渔", "AGRI"), ("能源", "ENER"),
    ("环境", "ENVI"), ("生态", "ENVI"), ("资源", "ENVI"), ("气象", "ENVI"),
    ("经济", "ECON"), ("财", "ECON"), ("金融", "ECON"), ("市场", "ECON"), ("信用", "ECON"),
    ("商贸", "ECON"), ("司法", "JUST"), ("法律", "JUST"), ("公共安全", "JUST"),
    ("安全", "JUST"), ("城市", "REGI"), ("城乡", "REGI"), ("住房", "REGI"), ("地理", "REGI"),
    ("空间", "REGI"), ("统计", "GOVE"), ("机构", "GOVE"), ("政务", "GOVE"), ("政府", "GOVE"),
    ("就业", "SOCI"), ("社保", "SOCI"), ("社会", "SOCI"), ("民生", "SOCI"), ("民政", "SOCI"),
)
# Labels of the EU data themes (English: the Publications Office's own; Chinese: ours).
EU_THEME_LABELS = {
    "AGRI": ("Agriculture, fisheries, forestry and food", "农业、渔业、林业和食品"),
    "ECON": ("Economy and finance", "经济和金融"),
    "EDUC": ("Education, culture and sport", "教育、文化和体育"),
    "ENER": ("Energy", "能源"), "ENVI": ("Environment", "环境"),
    "GOVE": ("Government and public sector", "政府和公共部门"), "HEAL": ("Health", "卫生健康"),
    "JUST": ("Justice, legal system and public safety", "司法、法律和公共安全"),
    "REGI": ("Regions and cities", "区域和城市"), "SOCI": ("Population and society", "人口和社会"),
    "TECH": ("Science and technology", "科学技术"), "TRAN": ("Transport", "交通"),
}
FILE_TYPES = {"csv": "CSV", "json": "JSON", "xlsx": "XLSX", "xls": "XLS", "xml": "XML",
              "zip": "ZIP", "pdf": "PDF", "geojson": "GEOJSON"}


def eu_theme(theme_name: str) -> str | None:
    """The EU data-theme code for a theme's Chinese name, if one fits."""
    for word, code in EU_THEME_WORDS:
        if word in theme_name:
            return code
    return None


def composed_description(record: PublicRecord) -> str:
    """A description made from the metadata, for a dataset whose source
    catalogue gave none."""
    parts = [f"{record.department_name or '数据提供部门'}开放的"
             f"{record.theme_name}数据“{record.title}”"]
    if record.update_frequency_name:
        parts.append(f"更新频率：{record.update_frequency_name}")
    return "，".join(parts) + "。（根据目录信息生成）"


PREFIXES: dict[str, Namespace] = {
    "dcat": Namespace(str(DCAT)), "dct": Namespace(str(DCTERMS)), "foaf": Namespace(str(FOAF)),
    "skos": Namespace(str(SKOS)), "vcard": VCARD, "spdx": SPDX, "xsd": Namespace(str(XSD)),
    "rdf": Namespace(str(RDF)), "rdfs": Namespace(str(RDFS)),
    "eutheme": EU_THEME, "eufreq": EU_FREQ, "euaccess": EU_ACCESS, "eufile": EU_FILE_TYPE,
    "eulang": EU_LANGUAGE,
}
