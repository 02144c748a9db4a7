"""The demo catalog's vocabulary: departments, product types, nouns, adjectives, materials and
brands in English, Swedish, French and Dutch.

Product names are composed from these words (see ``storeteam.demo.catalog``)::

    en  "{Model} {Adjective} {Material} {Noun}"   Aspen Classic Merino Wool Jacket
    sv  "{Model} {adjektiv} {substantiv} i {material}"   Aspen klassisk jacka i merinoull
    fr  "{Model} {nom} {adjectif} en {matière}"   Aspen veste classique en laine mérinos
    nl  "{Model} {bijvoeglijk} {zelfstandig} van {materiaal}"   Aspen klassieke jas van merinowol

Adjectives agree with the noun: Swedish en/ett, French masculine/feminine, Dutch de/het (an
uninflected adjective before a het-word without article). Nouns are written with their article
("en jacka", "une veste", "de jas") so the gender is visible where the word is.
"""

from __future__ import annotations

from dataclasses import dataclass

Texts = tuple[str, str, str, str]  # en, sv, fr, nl

LANGUAGES = ("en", "sv", "fr", "nl")


@dataclass(frozen=True)
class Noun:
    en: str
    sv: str
    sv_ett: bool
    fr: str
    fr_fem: bool
    nl: str
    nl_het: bool


def noun(en: str, sv: str, fr: str, nl: str) -> Noun:
    """A product noun with its articles: noun("Jacket", "en jacka", "une veste", "de jas")."""
    sv_article, sv_word = sv.split(" ", 1)
    fr_article, fr_word = fr.split(" ", 1)
    nl_article, nl_word = nl.split(" ", 1)
    assert sv_article in ("en", "ett"), sv
    assert fr_article in ("un", "une"), fr
    assert nl_article in ("de", "het"), nl
    return Noun(
        en=en,
        sv=sv_word,
        sv_ett=sv_article == "ett",
        fr=fr_word,
        fr_fem=fr_article == "une",
        nl=nl_word,
        nl_het=nl_article == "het",
    )


@dataclass(frozen=True)
class Adjective:
    en: str
    sv_en: str  # before an en-word
    sv_ett: str  # before an ett-word
    fr_m: str
    fr_f: str
    nl_de: str  # inflected: before a de-word
    nl_het: str  # uninflected: before a het-word without article

    def sv(self, n: Noun) -> str:
        return self.sv_ett if n.sv_ett else self.sv_en

    def fr(self, n: Noun) -> str:
        return self.fr_f if n.fr_fem else self.fr_m

    def nl(self, n: Noun) -> str:
        return self.nl_het if n.nl_het else self.nl_de


def _forms(text: str) -> tuple[str, str]:
    first, _, second = text.partition("/")
    return first, second or first


def adjective(en: str, sv: str, fr: str, nl: str) -> Adjective:
    """An adjective with its forms: adjective("Classic", "klassisk/klassiskt", "classique",
    "klassieke/klassiek"); one form stands for both."""
    sv_en, sv_ett = _forms(sv)
    fr_m, fr_f = _forms(fr)
    nl_de, nl_het = _forms(nl)
    return Adjective(en, sv_en, sv_ett, fr_m, fr_f, nl_de, nl_het)


@dataclass(frozen=True)
class Material:
    """What a product is made of (a facet), or for books and beauty its format or main
    ingredient (not a facet). The phrases follow the noun: "i ull", "en laine", "van wol"."""

    code: str
    en: str  # before the noun in English names
    sv: str
    fr: str
    nl: str
    names: Texts  # the attribute value's name
    is_facet: bool = True


def material(code: str, en: str, sv: str, fr: str, nl: str, en_name: str = "") -> Material:
    """A material: material("merino-wool", "Merino Wool", "merinoull", "laine mérinos",
    "merinowol") reads "i merinoull", "en laine mérinos", "van merinowol"."""
    return Material(
        code=code,
        en=en,
        sv=f"i {sv}",
        fr=f"en {fr}",
        nl=f"van {nl}",
        names=(en_name or en.capitalize(), _capital(sv), _capital(fr), _capital(nl)),
    )


def detail(code: str, en: str, sv: str, fr: str, nl: str) -> Material:
    """A format or ingredient, with its phrases as they are: detail("oat", "Oat", "med havre",
    "à l'avoine", "met haver")."""
    return Material(code=code, en=en, sv=sv, fr=fr, nl=nl, names=(en, sv, fr, nl), is_facet=False)


def _keys(text: str) -> tuple[str, ...]:
    """Codes written as words: _keys("classic warm soft")."""
    return tuple(text.split())


def _capital(text: str) -> str:
    return text[:1].upper() + text[1:]


@dataclass(frozen=True)
class ProductType:
    """A kind of product: a category of its own (names in the plural) and the nouns of its
    products, the materials they come in, their sizes and colours, prices and weights."""

    code: str
    names: Texts
    nouns: tuple[Noun, ...]
    materials: tuple[str, ...]
    adjectives: tuple[str, ...] = ()  # empty: the department's
    sizing: str = ""  # "", "letter" or "shoe"
    colours: bool = True
    price_sek: tuple[int, int] = (99, 999)
    weight_grams: tuple[int, int] = (100, 1000)


@dataclass(frozen=True)
class Department:
    code: str
    names: Texts
    description: Texts
    segments: tuple[Texts, ...]
    types: tuple[ProductType, ...]
    brands: tuple[str, ...]
    adjectives: tuple[str, ...]
    palette: tuple[str, ...]
    taglines: tuple[Texts, ...]
    tax_class: str = "standard"


ADJECTIVES: dict[str, Adjective] = {
    "classic": adjective("Classic", "klassisk/klassiskt", "classique", "klassieke/klassiek"),
    "lightweight": adjective("Lightweight", "lätt", "léger/légère", "lichte/licht"),
    "soft": adjective("Soft", "mjuk/mjukt", "doux/douce", "zachte/zacht"),
    "warm": adjective("Warm", "varm/varmt", "chaud/chaude", "warme/warm"),
    "waterproof": adjective(
        "Waterproof", "vattentät/vattentätt", "imperméable", "waterdichte/waterdicht"
    ),
    "modern": adjective("Modern", "modern/modernt", "moderne", "moderne/modern"),
    "elegant": adjective("Elegant", "elegant", "élégant/élégante", "elegante/elegant"),
    "practical": adjective("Practical", "praktisk/praktiskt", "pratique", "praktische/praktisch"),
    "sturdy": adjective("Sturdy", "stadig/stadigt", "robuste", "stevige/stevig"),
    "compact": adjective("Compact", "kompakt", "compact/compacte", "compacte/compact"),
    "handmade": adjective(
        "Handmade", "handgjord/handgjort", "fait main/faite main", "handgemaakte/handgemaakt"
    ),
    "minimalist": adjective(
        "Minimalist",
        "minimalistisk/minimalistiskt",
        "minimaliste",
        "minimalistische/minimalistisch",
    ),
    "rustic": adjective("Rustic", "rustik/rustikt", "rustique", "rustieke/rustiek"),
    "portable": adjective("Portable", "bärbar/bärbart", "portable", "draagbare/draagbaar"),
    "wireless": adjective("Wireless", "trådlös/trådlöst", "sans fil", "draadloze/draadloos"),
    "smart": adjective("Smart", "smart", "connecté/connectée", "slimme/slim"),
    "breathable": adjective(
        "Breathable", "andningsaktiv/andningsaktivt", "respirant/respirante", "ademende/ademend"
    ),
    "gentle": adjective("Gentle", "mild/milt", "délicat/délicate", "milde/mild"),
    "nourishing": adjective(
        "Nourishing", "närande", "nourrissant/nourrissante", "voedende/voedend"
    ),
    "refreshing": adjective(
        "Refreshing",
        "uppfriskande",
        "rafraîchissant/rafraîchissante",
        "verfrissende/verfrissend",
    ),
    "colourful": adjective(
        "Colourful", "färgglad/färgglatt", "coloré/colorée", "kleurrijke/kleurrijk"
    ),
    "educational": adjective(
        "Educational", "pedagogisk/pedagogiskt", "éducatif/éducative", "educatieve/educatief"
    ),
    "cosy": adjective("Cosy", "mysig/mysigt", "douillet/douillette", "knusse/knus"),
    "illustrated": adjective(
        "Illustrated",
        "illustrerad/illustrerat",
        "illustré/illustrée",
        "geïllustreerde/geïllustreerd",
    ),
    "complete": adjective("Complete", "komplett", "complet/complète", "complete/compleet"),
    "weatherproof": adjective(
        "Weatherproof",
        "väderbeständig/väderbeständigt",
        "résistant aux intempéries/résistante aux intempéries",
        "weerbestendige/weerbestendig",
    ),
    "foldable": adjective("Foldable", "hopfällbar/hopfällbart", "pliable", "opvouwbare/opvouwbaar"),
    "ergonomic": adjective(
        "Ergonomic", "ergonomisk/ergonomiskt", "ergonomique", "ergonomische/ergonomisch"
    ),
    "professional": adjective(
        "Professional",
        "professionell/professionellt",
        "professionnel/professionnelle",
        "professionele/professioneel",
    ),
    "luxury": adjective("Luxury", "lyxig/lyxigt", "luxueux/luxueuse", "luxe"),
    "quick-dry": adjective(
        "Quick-Dry", "snabbtorkande", "à séchage rapide", "sneldrogende/sneldrogend"
    ),
    "cushioned": adjective("Cushioned", "stötdämpande", "amorti/amortie", "dempende/dempend"),
    "insulated": adjective("Insulated", "isolerad/isolerat", "isotherme", "geïsoleerde/geïsoleerd"),
    "rechargeable": adjective(
        "Rechargeable", "uppladdningsbar/uppladdningsbart", "rechargeable", "oplaadbare/oplaadbaar"
    ),
    "moisturising": adjective(
        "Moisturising", "återfuktande", "hydratant/hydratante", "hydraterende/hydraterend"
    ),
    "calming": adjective("Calming", "lugnande", "apaisant/apaisante", "kalmerende/kalmerend"),
    "organic": adjective("Organic", "ekologisk/ekologiskt", "bio", "biologische/biologisch"),
    "vegan": adjective("Vegan", "vegansk/veganskt", "végan/végane", "veganistische/veganistisch"),
    "fragrance-free": adjective(
        "Fragrance-Free", "parfymfri/parfymfritt", "sans parfum", "parfumvrije/parfumvrij"
    ),
    "repairing": adjective(
        "Repairing", "reparerande", "réparateur/réparatrice", "herstellende/herstellend"
    ),
    "magnetic": adjective(
        "Magnetic", "magnetisk/magnetiskt", "magnétique", "magnetische/magnetisch"
    ),
    "musical": adjective(
        "Musical", "musikalisk/musikaliskt", "musical/musicale", "muzikale/muzikaal"
    ),
    "playful": adjective("Playful", "lekfull/lekfullt", "ludique", "speelse/speels"),
    "stackable": adjective(
        "Stackable", "stapelbar/stapelbart", "empilable", "stapelbare/stapelbaar"
    ),
    "annotated": adjective(
        "Annotated", "kommenterad/kommenterat", "annoté/annotée", "geannoteerde/geannoteerd"
    ),
    "revised": adjective("Revised", "reviderad/reviderat", "révisé/révisée", "herziene/herzien"),
    "inspiring": adjective(
        "Inspiring", "inspirerande", "inspirant/inspirante", "inspirerende/inspirerend"
    ),
    "timeless": adjective(
        "Timeless", "tidlös/tidlöst", "intemporel/intemporelle", "tijdloze/tijdloos"
    ),
    "charming": adjective(
        "Charming", "charmig/charmigt", "charmant/charmante", "charmante/charmant"
    ),
    "adjustable": adjective(
        "Adjustable", "justerbar/justerbart", "réglable", "verstelbare/verstelbaar"
    ),
    "leakproof": adjective("Leakproof", "läcksäker/läcksäkert", "étanche", "lekvrije/lekvrij"),
    "durable": adjective(
        "Durable", "slitstark/slitstarkt", "résistant/résistante", "slijtvaste/slijtvast"
    ),
    "relaxed": adjective("Relaxed", "ledig/ledigt", "décontracté/décontractée", "losse/los"),
    "stylish": adjective("Stylish", "stilren/stilrent", "chic", "stijlvolle/stijlvol"),
}

MATERIALS: dict[str, Material] = {
    m.code: m
    for m in (
        material("wool", "Wool", "ull", "laine", "wol"),
        material("merino-wool", "Merino Wool", "merinoull", "laine mérinos", "merinowol"),
        material("cashmere", "Cashmere", "kashmir", "cachemire", "kasjmier"),
        material("alpaca", "Alpaca", "alpacka", "alpaga", "alpaca"),
        material("cotton", "Cotton", "bomull", "coton", "katoen"),
        material(
            "organic-cotton", "Organic Cotton", "ekologisk bomull", "coton bio", "biologisch katoen"
        ),
        material("linen", "Linen", "linne", "lin", "linnen"),
        material("silk", "Silk", "siden", "soie", "zijde"),
        material("flannel", "Flannel", "flanell", "flanelle", "flanel"),
        material("denim", "Denim", "denim", "denim", "denim"),
        material(
            "recycled-polyester",
            "Recycled Polyester",
            "återvunnen polyester",
            "polyester recyclé",
            "gerecycled polyester",
        ),
        material("nylon", "Nylon", "nylon", "nylon", "nylon"),
        material("leather", "Leather", "läder", "cuir", "leer"),
        material("waxed-cotton", "Waxed Cotton", "vaxad bomull", "coton ciré", "gewaxt katoen"),
        material("suede", "Suede", "mocka", "daim", "suède"),
        material("canvas", "Canvas", "canvas", "toile", "canvas"),
        material("mesh", "Mesh", "mesh", "mesh", "mesh"),
        material("nubuck", "Nubuck", "nubuck", "nubuck", "nubuck"),
        material("knit", "Knit", "stickat material", "maille", "breistof"),
        material(
            "synthetic",
            "Synthetic",
            "syntetmaterial",
            "matière synthétique",
            "synthetisch materiaal",
        ),
        material(
            "natural-rubber", "Natural Rubber", "naturgummi", "caoutchouc naturel", "natuurrubber"
        ),
        material("rubber", "Rubber", "gummi", "caoutchouc", "rubber"),
        material("felt", "Felt", "filt", "feutre", "vilt"),
        material("sheepskin", "Sheepskin", "fårskinn", "peau de mouton", "schapenvacht"),
        material("velvet", "Velvet", "sammet", "velours", "fluweel"),
        material("boucle", "Bouclé", "bouclé", "tissu bouclette", "bouclé"),
        material("cork", "Cork", "kork", "liège", "kurk"),
        material("jute", "Jute", "jute", "jute", "jute"),
        material("sisal", "Sisal", "sisal", "sisal", "sisal"),
        material("softshell", "Softshell", "softshell", "softshell", "softshell"),
        material("ripstop", "Ripstop", "ripstop", "ripstop", "ripstop"),
        material("neoprene", "Neoprene", "neopren", "néoprène", "neopreen"),
        material("foam", "Foam", "skum", "mousse", "schuim"),
        material("fabric", "Fabric", "tyg", "tissu", "stof"),
        material("brass", "Brass", "mässing", "laiton", "messing"),
        material("glass", "Glass", "glas", "verre", "glas"),
        material("ceramic", "Ceramic", "keramik", "céramique", "keramiek"),
        material("stoneware", "Stoneware", "stengods", "grès", "steengoed"),
        material("porcelain", "Porcelain", "porslin", "porcelaine", "porselein"),
        material("earthenware", "Earthenware", "lergods", "faïence", "aardewerk"),
        material("terracotta", "Terracotta", "terrakotta", "terre cuite", "terracotta"),
        material("concrete", "Concrete", "betong", "béton", "beton"),
        material("oak", "Oak", "ek", "chêne", "eikenhout"),
        material("walnut", "Walnut", "valnöt", "noyer", "notenhout"),
        material("beech", "Beech", "bokträ", "hêtre", "beukenhout"),
        material("birch", "Birch", "björk", "bouleau", "berkenhout"),
        material("ash", "Ash", "ask", "frêne", "essenhout"),
        material("pine", "Pine", "furu", "pin", "grenenhout"),
        material("teak", "Teak", "teak", "teck", "teakhout"),
        material("acacia", "Acacia", "akacia", "acacia", "acaciahout"),
        material("cedar", "Cedar", "ceder", "cèdre", "cederhout"),
        material("olive-wood", "Olive Wood", "olivträ", "bois d'olivier", "olijfhout"),
        material("bamboo", "Bamboo", "bambu", "bambou", "bamboe"),
        material("wood", "Wooden", "trä", "bois", "hout", en_name="Wood"),
        material("rattan", "Rattan", "rotting", "rotin", "rotan"),
        material("cardboard", "Cardboard", "kartong", "carton", "karton"),
        material("steel", "Steel", "stål", "acier", "staal"),
        material(
            "stainless-steel",
            "Stainless Steel",
            "rostfritt stål",
            "acier inoxydable",
            "roestvrij staal",
        ),
        material("cast-iron", "Cast Iron", "gjutjärn", "fonte", "gietijzer"),
        material("carbon-steel", "Carbon Steel", "kolstål", "acier au carbone", "koolstofstaal"),
        material(
            "damascus-steel", "Damascus Steel", "damaskusstål", "acier damassé", "damaststaal"
        ),
        material(
            "galvanised-steel",
            "Galvanised Steel",
            "galvaniserat stål",
            "acier galvanisé",
            "gegalvaniseerd staal",
        ),
        material("iron", "Iron", "järn", "fer", "ijzer"),
        material("copper", "Copper", "koppar", "cuivre", "koper"),
        material("aluminium", "Aluminium", "aluminium", "aluminium", "aluminium"),
        material("titanium", "Titanium", "titan", "titane", "titanium"),
        material("zinc", "Zinc", "zink", "zinc", "zink"),
        material("enamel", "Enamel", "emalj", "émail", "emaille"),
        material("silicone", "Silicone", "silikon", "silicone", "siliconen"),
        material(
            "recycled-plastic",
            "Recycled Plastic",
            "återvunnen plast",
            "plastique recyclé",
            "gerecycled plastic",
        ),
        # Books: the format. Beauty: the main ingredient. Neither is a material facet.
        detail(
            "hardcover", "Hardcover", "i inbunden utgåva", "en édition reliée", "in gebonden editie"
        ),
        detail("paperback", "Paperback", "i häftad utgåva", "en édition brochée", "in paperback"),
        detail("pocket", "Pocket", "i pocketutgåva", "en format poche", "in pocketformaat"),
        detail(
            "large-print",
            "Large Print",
            "i storstilsutgåva",
            "en gros caractères",
            "in grote letter",
        ),
        detail(
            "spiral-bound",
            "Spiral-Bound",
            "i spiralbunden utgåva",
            "en reliure spirale",
            "met spiraalbinding",
        ),
        detail("leather-bound", "Leather-Bound", "i skinnband", "en reliure cuir", "in leren band"),
        detail("linen-bound", "Linen-Bound", "i klotband", "en reliure toile", "in linnen band"),
        detail("oat", "Oat", "med havre", "à l'avoine", "met haver"),
        detail("aloe-vera", "Aloe Vera", "med aloe vera", "à l'aloe vera", "met aloë vera"),
        detail("rosehip", "Rosehip", "med nypon", "à la rose musquée", "met rozenbottel"),
        detail("vitamin-c", "Vitamin C", "med C-vitamin", "à la vitamine C", "met vitamine C"),
        detail("chamomile", "Chamomile", "med kamomill", "à la camomille", "met kamille"),
        detail("honey", "Honey", "med honung", "au miel", "met honing"),
        detail("shea", "Shea Butter", "med sheasmör", "au beurre de karité", "met sheaboter"),
        detail("coconut", "Coconut", "med kokos", "à la noix de coco", "met kokos"),
        detail("lavender", "Lavender", "med lavendel", "à la lavande", "met lavendel"),
        detail("argan", "Argan Oil", "med arganolja", "à l'huile d'argan", "met arganolie"),
        detail("eucalyptus", "Eucalyptus", "med eukalyptus", "à l'eucalyptus", "met eucalyptus"),
    )
}

COLOURS: dict[str, Texts] = {
    "black": ("Black", "Svart", "Noir", "Zwart"),
    "white": ("White", "Vit", "Blanc", "Wit"),
    "grey": ("Grey", "Grå", "Gris", "Grijs"),
    "navy": ("Navy", "Marinblå", "Bleu marine", "Marineblauw"),
    "blue": ("Blue", "Blå", "Bleu", "Blauw"),
    "green": ("Green", "Grön", "Vert", "Groen"),
    "olive": ("Olive", "Olivgrön", "Vert olive", "Olijfgroen"),
    "beige": ("Beige", "Beige", "Beige", "Beige"),
    "brown": ("Brown", "Brun", "Marron", "Bruin"),
    "red": ("Red", "Röd", "Rouge", "Rood"),
    "pink": ("Pink", "Rosa", "Rose", "Roze"),
    "yellow": ("Yellow", "Gul", "Jaune", "Geel"),
}

LETTER_SIZES = ("xs", "s", "m", "l", "xl", "xxl")
SHOE_SIZES = tuple(str(n) for n in range(36, 47))

# Product lines: proper names that read the same in every language (cf. Magento's "Juno Jacket").
MODELS = (
    "Abisko", "Alba", "Alva", "Amber", "Arden", "Arlo", "Aspen", "Astra", "Aurora", "Avon",
    "Balder", "Bergen", "Birka", "Blanca", "Bora", "Brio", "Bris", "Calla", "Celeste", "Cleo",
    "Cove", "Dala", "Delta", "Dune", "Ebba", "Echo", "Eden", "Elba", "Ember", "Enso",
    "Esker", "Falun", "Fika", "Fjell", "Flint", "Flora", "Fyr", "Gale", "Garda", "Gotland",
    "Greta", "Haga", "Halden", "Harbour", "Haven", "Hedda", "Holm", "Idun", "Isla", "Ivy",
    "Jara", "Juno", "Jura", "Kaia", "Karst", "Kiruna", "Kivik", "Koster", "Lagom", "Lark",
    "Lille", "Linnea", "Loire", "Luma", "Luna", "Lund", "Lyra", "Maja", "Malva", "Marin",
    "Mira", "Mistral", "Moln", "Mora", "Nala", "Nova", "Odin", "Onyx", "Opal", "Orion",
    "Oslo", "Pax", "Pearl", "Polar", "Quill", "Rana", "Ravel", "Rio", "Rune", "Sage",
    "Saga", "Sarek", "Selma", "Siena", "Sierra", "Sigrid", "Skye", "Sol", "Solna", "Stella",
    "Storm", "Sund", "Tarn", "Tekla", "Terra", "Thule", "Tilda", "Tove", "Tundra", "Umbra",
    "Una", "Vale", "Vega", "Vanja", "Vik", "Vilma", "Visby", "Vista", "Willow", "Wren",
    "Ystad", "Yuki", "Zephyr", "Zora", "Aino", "Bodil", "Cirrus", "Dagny", "Edda", "Frej",
    "Gaia", "Hugo", "Iris", "Jonna", "Kastor", "Liv", "Minna", "Nord", "Orla", "Pim",
    "Rhea", "Stina", "Tyra", "Ulla", "Vinga", "Wilma", "Astor", "Bruno", "Cyra", "Dorian",
)  # fmt: skip

UNISEX_SEGMENTS: tuple[Texts, ...] = (
    ("Women", "Dam", "Femme", "Dames"),
    ("Men", "Herr", "Homme", "Heren"),
    ("Kids", "Barn", "Enfant", "Kinderen"),
    ("Unisex", "Unisex", "Unisexe", "Unisex"),
)
STYLE_SEGMENTS: tuple[Texts, ...] = (
    ("Scandinavian", "Skandinavisk stil", "Style scandinave", "Scandinavische stijl"),
    ("Classic", "Klassisk stil", "Style classique", "Klassieke stijl"),
    ("Modern", "Modern stil", "Style moderne", "Moderne stijl"),
    ("Country", "Lantlig stil", "Style campagne", "Landelijke stijl"),
)

DEPARTMENTS: tuple[Department, ...] = (
    Department(
        code="clothing",
        names=("Clothing", "Kläder", "Vêtements", "Kleding"),
        description=(
            "Clothes for every season, in natural materials.",
            "Kläder för alla årstider, i naturliga material.",
            "Des vêtements pour toutes les saisons, en matières naturelles.",
            "Kleding voor elk seizoen, van natuurlijke materialen.",
        ),
        segments=UNISEX_SEGMENTS,
        brands=("Nordvik", "Linnea & Co", "Maison Clair", "Van Dijk Atelier", "Fjällro"),
        adjectives=_keys(
            "classic lightweight soft warm relaxed elegant stylish timeless minimalist durable"
            " breathable cosy"
        ),
        palette=_keys("black white grey navy blue green olive beige brown red"),
        taglines=(
            (
                "Wash at 30 °C for the best result.",
                "Tvätta i 30 °C för bästa resultat.",
                "Lavage à 30 °C recommandé.",
                "Wassen op 30 °C voor het beste resultaat.",
            ),
            (
                "A wardrobe staple for every season.",
                "Ett basplagg för alla årstider.",
                "Un incontournable pour toutes les saisons.",
                "Een basisstuk voor elk seizoen.",
            ),
            (
                "Scandinavian design with a timeless fit.",
                "Skandinavisk design med tidlös passform.",
                "Un design scandinave à la coupe intemporelle.",
                "Scandinavisch design met een tijdloze pasvorm.",
            ),
        ),
        types=(
            ProductType(
                code="jackets",
                names=(
                    "Jackets & Coats",
                    "Jackor och kappor",
                    "Vestes et manteaux",
                    "Jassen en mantels",
                ),
                nouns=(
                    noun("Jacket", "en jacka", "une veste", "de jas"),
                    noun("Parka", "en parkas", "une parka", "de parka"),
                    noun("Coat", "en kappa", "un manteau", "de mantel"),
                ),
                materials=_keys(
                    "wool merino-wool cotton recycled-polyester nylon leather waxed-cotton"
                ),
                adjectives=_keys(
                    "classic lightweight warm waterproof relaxed elegant stylish timeless"
                    " minimalist durable breathable insulated"
                ),
                sizing="letter",
                price_sek=(699, 3999),
                weight_grams=(500, 1800),
            ),
            ProductType(
                code="shirts",
                names=(
                    "Shirts & Blouses",
                    "Skjortor och blusar",
                    "Chemises et chemisiers",
                    "Overhemden en blouses",
                ),
                nouns=(
                    noun("Shirt", "en skjorta", "une chemise", "het overhemd"),
                    noun("Blouse", "en blus", "un chemisier", "de blouse"),
                ),
                materials=("cotton", "organic-cotton", "linen", "silk", "flannel", "denim"),
                sizing="letter",
                price_sek=(299, 1299),
                weight_grams=(150, 400),
            ),
            ProductType(
                code="knitwear",
                names=("Knitwear", "Stickat", "Mailles", "Breiwerk"),
                nouns=(
                    noun("Sweater", "en tröja", "un pull", "de trui"),
                    noun("Cardigan", "en kofta", "un cardigan", "het vest"),
                ),
                materials=("wool", "merino-wool", "cashmere", "alpaca", "cotton"),
                sizing="letter",
                price_sek=(399, 2499),
                weight_grams=(250, 700),
            ),
            ProductType(
                code="t-shirts",
                names=(
                    "T-Shirts & Tops",
                    "T-shirts och toppar",
                    "T-shirts et hauts",
                    "T-shirts en tops",
                ),
                nouns=(
                    noun("T-Shirt", "en t-shirt", "un t-shirt", "het T-shirt"),
                    noun("Top", "en topp", "un haut", "de top"),
                ),
                materials=_keys("cotton organic-cotton linen merino-wool recycled-polyester"),
                sizing="letter",
                price_sek=(149, 599),
                weight_grams=(120, 300),
            ),
            ProductType(
                code="hoodies",
                names=(
                    "Hoodies & Sweatshirts",
                    "Huvtröjor och sweatshirts",
                    "Sweats à capuche et sweat-shirts",
                    "Hoodies en sweaters",
                ),
                nouns=(
                    noun("Hoodie", "en huvtröja", "un sweat à capuche", "de hoodie"),
                    noun("Sweatshirt", "en sweatshirt", "un sweat-shirt", "de sweater"),
                ),
                materials=_keys("cotton organic-cotton recycled-polyester merino-wool fabric"),
                sizing="letter",
                price_sek=(299, 999),
                weight_grams=(350, 800),
            ),
            ProductType(
                code="scarves-hats",
                names=(
                    "Scarves & Hats",
                    "Halsdukar och mössor",
                    "Écharpes et bonnets",
                    "Sjaals en mutsen",
                ),
                nouns=(
                    noun("Scarf", "en halsduk", "une écharpe", "de sjaal"),
                    noun("Beanie", "en mössa", "un bonnet", "de muts"),
                ),
                materials=("wool", "merino-wool", "cashmere", "alpaca", "cotton"),
                price_sek=(149, 899),
                weight_grams=(80, 300),
            ),
        ),
    ),
    Department(
        code="shoes",
        names=("Shoes", "Skor", "Chaussures", "Schoenen"),
        description=(
            "Shoes for the city, the trail and everything in between.",
            "Skor för staden, stigen och allt däremellan.",
            "Des chaussures pour la ville, les sentiers et tout le reste.",
            "Schoenen voor de stad, het pad en alles daartussen.",
        ),
        segments=UNISEX_SEGMENTS,
        brands=("Stegra", "Pas de Loup", "Rotterdam Shoe Co", "Kavalkad", "Trailmark"),
        adjectives=_keys(
            "classic lightweight soft warm waterproof elegant stylish timeless durable breathable"
            " cushioned minimalist"
        ),
        palette=_keys("black white grey navy blue green beige brown red pink"),
        taglines=(
            (
                "Take your usual size.",
                "Välj din vanliga storlek.",
                "Prenez votre pointure habituelle.",
                "Kies je gebruikelijke maat.",
            ),
            (
                "Comfort from the first step.",
                "Komfort från första steget.",
                "Du confort dès le premier pas.",
                "Comfort vanaf de eerste stap.",
            ),
            (
                "Free returns within 30 days.",
                "Fri retur inom 30 dagar.",
                "Retours gratuits sous 30 jours.",
                "Gratis retourneren binnen 30 dagen.",
            ),
        ),
        types=(
            ProductType(
                code="sneakers",
                names=("Sneakers", "Sneakers", "Baskets", "Sneakers"),
                nouns=(
                    noun("Sneaker", "en sneaker", "une basket", "de sneaker"),
                    noun("Trainer", "en träningssko", "une chaussure de sport", "de sportschoen"),
                ),
                materials=("leather", "suede", "canvas", "mesh", "recycled-polyester"),
                sizing="shoe",
                price_sek=(499, 1999),
                weight_grams=(600, 1100),
            ),
            ProductType(
                code="boots",
                names=("Boots", "Kängor och boots", "Bottes et bottines", "Laarzen"),
                nouns=(
                    noun("Boot", "en känga", "une botte", "de laars"),
                    noun("Ankle Boot", "en stövlett", "une bottine", "de enkellaars"),
                ),
                materials=("leather", "suede", "nubuck", "rubber", "felt"),
                sizing="shoe",
                price_sek=(799, 3499),
                weight_grams=(900, 1900),
            ),
            ProductType(
                code="sandals",
                names=("Sandals", "Sandaler", "Sandales", "Sandalen"),
                nouns=(
                    noun("Sandal", "en sandal", "une sandale", "de sandaal"),
                    noun("Slide", "en badtoffel", "une claquette", "de slipper"),
                ),
                materials=("leather", "suede", "cork", "rubber", "canvas"),
                sizing="shoe",
                price_sek=(299, 1499),
                weight_grams=(300, 800),
            ),
            ProductType(
                code="dress-shoes",
                names=("Dress Shoes", "Finskor", "Chaussures de ville", "Nette schoenen"),
                nouns=(
                    noun("Loafer", "en loafer", "un mocassin", "de loafer"),
                    noun("Lace-Up Shoe", "en snörsko", "un richelieu", "de veterschoen"),
                ),
                materials=("leather", "suede", "nubuck", "canvas", "velvet"),
                sizing="shoe",
                price_sek=(899, 3999),
                weight_grams=(700, 1300),
            ),
            ProductType(
                code="slippers",
                names=("Slippers", "Tofflor", "Chaussons", "Pantoffels"),
                nouns=(
                    noun("Slipper", "en toffel", "un chausson", "de pantoffel"),
                    noun("House Shoe", "en innesko", "une pantoufle", "de huisschoen"),
                ),
                materials=("wool", "felt", "sheepskin", "cotton", "suede"),
                sizing="shoe",
                price_sek=(199, 899),
                weight_grams=(250, 600),
            ),
            ProductType(
                code="running-shoes",
                names=("Running Shoes", "Löparskor", "Chaussures de running", "Hardloopschoenen"),
                nouns=(
                    noun(
                        "Running Shoe",
                        "en löparsko",
                        "une chaussure de running",
                        "de hardloopschoen",
                    ),
                    noun("Trail Shoe", "en terrängsko", "une chaussure de trail", "de trailschoen"),
                ),
                materials=("mesh", "recycled-polyester", "nylon", "knit", "synthetic"),
                adjectives=_keys(
                    "lightweight waterproof breathable cushioned durable classic stylish"
                    " minimalist professional quick-dry"
                ),
                sizing="shoe",
                price_sek=(799, 2499),
                weight_grams=(500, 900),
            ),
        ),
    ),
    Department(
        code="home",
        names=("Home", "Hem och inredning", "Maison", "Wonen"),
        description=(
            "Textiles, lighting and decoration for a calm home.",
            "Textilier, belysning och inredning för ett lugnt hem.",
            "Textiles, luminaires et décoration pour une maison sereine.",
            "Textiel, verlichting en decoratie voor een rustig huis.",
        ),
        segments=STYLE_SEGMENTS,
        brands=("Lysa Home", "Maison Duval", "Huis & Haard", "Ekbacken", "Norrsken Interiör"),
        adjectives=_keys(
            "classic soft modern elegant handmade minimalist rustic cosy timeless stylish"
            " charming warm"
        ),
        palette=_keys("black white grey navy green olive beige brown pink yellow"),
        taglines=(
            (
                "Brings warmth to any room.",
                "Ger värme åt vilket rum som helst.",
                "Apporte de la chaleur à chaque pièce.",
                "Brengt sfeer in elke kamer.",
            ),
            (
                "Scandinavian design for everyday life.",
                "Skandinavisk design för vardagen.",
                "Le design scandinave au quotidien.",
                "Scandinavisch design voor elke dag.",
            ),
            (
                "Pairs well with the rest of the collection.",
                "Passar fint ihop med resten av kollektionen.",
                "S'accorde avec le reste de la collection.",
                "Past mooi bij de rest van de collectie.",
            ),
        ),
        types=(
            ProductType(
                code="cushions",
                names=("Cushions", "Kuddar", "Coussins", "Kussens"),
                nouns=(
                    noun("Cushion", "en kudde", "un coussin", "het kussen"),
                    noun(
                        "Cushion Cover", "ett kuddfodral", "une housse de coussin", "de kussenhoes"
                    ),
                ),
                materials=("cotton", "linen", "velvet", "wool", "boucle", "jute"),
                price_sek=(149, 699),
                weight_grams=(200, 900),
            ),
            ProductType(
                code="throws",
                names=(
                    "Throws & Blankets",
                    "Plädar och filtar",
                    "Plaids et couvertures",
                    "Plaids en dekens",
                ),
                nouns=(
                    noun("Throw", "en pläd", "un plaid", "de plaid"),
                    noun("Blanket", "en filt", "une couverture", "de deken"),
                ),
                materials=("wool", "cotton", "linen", "alpaca", "merino-wool", "cashmere"),
                price_sek=(299, 2499),
                weight_grams=(600, 2000),
            ),
            ProductType(
                code="lamps",
                names=("Lamps", "Lampor", "Lampes", "Lampen"),
                nouns=(
                    noun("Table Lamp", "en bordslampa", "une lampe de table", "de tafellamp"),
                    noun("Floor Lamp", "en golvlampa", "un lampadaire", "de vloerlamp"),
                    noun("Pendant Lamp", "en taklampa", "une suspension", "de hanglamp"),
                ),
                materials=("brass", "glass", "ceramic", "oak", "rattan", "steel"),
                price_sek=(399, 3999),
                weight_grams=(800, 6000),
            ),
            ProductType(
                code="vases",
                names=("Vases", "Vaser", "Vases", "Vazen"),
                nouns=(
                    noun("Vase", "en vas", "un vase", "de vaas"),
                    noun("Bud Vase", "en solitärvas", "un soliflore", "de solitairvaas"),
                ),
                materials=("glass", "ceramic", "stoneware", "porcelain", "brass", "terracotta"),
                price_sek=(99, 1299),
                weight_grams=(200, 2500),
            ),
            ProductType(
                code="rugs",
                names=("Rugs", "Mattor", "Tapis", "Vloerkleden"),
                nouns=(
                    noun("Rug", "en matta", "un tapis", "het vloerkleed"),
                    noun("Runner", "en gångmatta", "un tapis de couloir", "de loper"),
                ),
                materials=("wool", "jute", "cotton", "sisal", "recycled-polyester"),
                price_sek=(399, 4999),
                weight_grams=(1500, 9000),
            ),
            ProductType(
                code="candle-holders",
                names=(
                    "Candle Holders & Lanterns",
                    "Ljusstakar och lyktor",
                    "Bougeoirs et lanternes",
                    "Kandelaars en lantaarns",
                ),
                nouns=(
                    noun("Candle Holder", "en ljusstake", "un bougeoir", "de kandelaar"),
                    noun("Lantern", "en lykta", "une lanterne", "de lantaarn"),
                ),
                materials=("brass", "glass", "iron", "ceramic", "oak", "stoneware"),
                price_sek=(99, 999),
                weight_grams=(200, 2000),
            ),
        ),
    ),
    Department(
        code="kitchen",
        names=("Kitchen", "Kök", "Cuisine", "Keuken"),
        description=(
            "Cookware and tableware that last for years.",
            "Köksredskap och servis som håller i många år.",
            "Des ustensiles et de la vaisselle faits pour durer.",
            "Kookgerei en servies die jarenlang meegaan.",
        ),
        segments=(
            ("Everyday Cooking", "Vardagsmat", "Cuisine du quotidien", "Dagelijks koken"),
            ("Entertaining", "Fest och bjudningar", "Recevoir", "Gasten ontvangen"),
            ("Professional", "Proffsutrustning", "Équipement professionnel", "Professioneel"),
            ("Gifts", "Presenter", "Idées cadeaux", "Cadeaus"),
        ),
        brands=("Cuisine Fabre", "Kokkerij", "Stålverket", "Gryta & Co", "Brigade"),
        adjectives=_keys(
            "classic practical sturdy professional modern minimalist handmade rustic compact"
            " durable elegant timeless"
        ),
        palette=("black", "white", "grey", "blue", "green", "olive", "beige", "red", "yellow"),
        taglines=(
            (
                "Built for daily use in a busy kitchen.",
                "För daglig användning i ett livligt kök.",
                "Pour un usage quotidien dans une cuisine animée.",
                "Voor dagelijks gebruik in een drukke keuken.",
            ),
            (
                "Easy to clean after use.",
                "Lätt att rengöra efter användning.",
                "Facile à nettoyer après usage.",
                "Makkelijk schoon te maken na gebruik.",
            ),
            (
                "A favourite of home cooks and professionals alike.",
                "En favorit hos både hemmakockar och proffs.",
                "Le favori des cuisiniers amateurs comme des professionnels.",
                "Favoriet bij thuiskoks en professionals.",
            ),
        ),
        types=(
            ProductType(
                code="cookware",
                names=(
                    "Pots & Pans",
                    "Kastruller och stekpannor",
                    "Casseroles et poêles",
                    "Pannen",
                ),
                nouns=(
                    noun("Saucepan", "en kastrull", "une casserole", "de steelpan"),
                    noun("Frying Pan", "en stekpanna", "une poêle", "de koekenpan"),
                    noun("Casserole Pot", "en gryta", "une cocotte", "de braadpan"),
                ),
                materials=_keys("stainless-steel cast-iron copper aluminium carbon-steel enamel"),
                price_sek=(299, 2999),
                weight_grams=(900, 5000),
            ),
            ProductType(
                code="knives",
                names=("Knives", "Knivar", "Couteaux", "Messen"),
                nouns=(
                    noun("Chef's Knife", "en kockkniv", "un couteau de chef", "het koksmes"),
                    noun("Bread Knife", "en brödkniv", "un couteau à pain", "het broodmes"),
                    noun("Paring Knife", "en skalkniv", "un couteau d'office", "het schilmesje"),
                ),
                materials=_keys("stainless-steel carbon-steel damascus-steel ceramic titanium"),
                price_sek=(199, 2499),
                weight_grams=(100, 400),
            ),
            ProductType(
                code="tableware",
                names=("Tableware", "Servis", "Vaisselle", "Servies"),
                nouns=(
                    noun("Plate", "en tallrik", "une assiette", "het bord"),
                    noun("Bowl", "en skål", "un bol", "de kom"),
                    noun("Mug", "en mugg", "un mug", "de mok"),
                ),
                materials=("porcelain", "stoneware", "ceramic", "glass", "earthenware"),
                price_sek=(59, 499),
                weight_grams=(200, 900),
            ),
            ProductType(
                code="utensils",
                names=(
                    "Kitchen Utensils",
                    "Köksredskap",
                    "Ustensiles de cuisine",
                    "Keukengerei",
                ),
                nouns=(
                    noun("Spatula", "en stekspade", "une spatule", "de spatel"),
                    noun("Ladle", "en slev", "une louche", "de soeplepel"),
                    noun("Whisk", "en visp", "un fouet", "de garde"),
                ),
                materials=("oak", "bamboo", "silicone", "stainless-steel", "olive-wood", "beech"),
                price_sek=(49, 399),
                weight_grams=(50, 300),
            ),
            ProductType(
                code="cutting-boards",
                names=("Cutting Boards", "Skärbrädor", "Planches à découper", "Snijplanken"),
                nouns=(
                    noun("Cutting Board", "en skärbräda", "une planche à découper", "de snijplank"),
                    noun(
                        "Serving Board",
                        "en serveringsbräda",
                        "une planche de service",
                        "de serveerplank",
                    ),
                ),
                materials=("oak", "walnut", "bamboo", "olive-wood", "beech", "acacia"),
                price_sek=(149, 1299),
                weight_grams=(500, 3000),
            ),
            ProductType(
                code="food-storage",
                names=("Food Storage", "Förvaring", "Boîtes de conservation", "Voorraadpotten"),
                nouns=(
                    noun("Storage Jar", "en förvaringsburk", "un bocal", "de voorraadpot"),
                    noun("Bread Bin", "en brödlåda", "une boîte à pain", "de broodtrommel"),
                ),
                materials=("glass", "stainless-steel", "bamboo", "ceramic", "enamel", "oak"),
                price_sek=(79, 799),
                weight_grams=(300, 2000),
            ),
        ),
    ),
    Department(
        code="electronics",
        names=("Electronics", "Elektronik", "Électronique", "Elektronica"),
        description=(
            "Sound, power and accessories for work and play.",
            "Ljud, laddning och tillbehör för jobb och fritid.",
            "Son, recharge et accessoires pour le travail et les loisirs.",
            "Geluid, opladen en accessoires voor werk en vrije tijd.",
        ),
        segments=(
            ("Home", "Hemma", "Maison", "Thuis"),
            ("On the Go", "På språng", "Nomade", "Onderweg"),
            ("Office", "Kontor", "Bureau", "Kantoor"),
            ("Gaming", "Gaming", "Gaming", "Gaming"),
        ),
        brands=("Voltra", "Sonique", "Lumen Labs", "Pixelfjord", "Ampère"),
        adjectives=_keys(
            "wireless portable compact smart modern minimalist ergonomic classic sturdy"
            " lightweight professional rechargeable stylish"
        ),
        palette=("black", "white", "grey", "navy", "blue", "green", "beige", "red", "pink"),
        taglines=(
            (
                "Two-year warranty included.",
                "Två års garanti ingår.",
                "Garantie de deux ans incluse.",
                "Inclusief twee jaar garantie.",
            ),
            (
                "Designed for everyday use at home and on the go.",
                "För vardagsbruk hemma och på språng.",
                "Pour un usage quotidien, à la maison comme en déplacement.",
                "Voor dagelijks gebruik, thuis en onderweg.",
            ),
            (
                "Free delivery and 30-day returns.",
                "Fri frakt och 30 dagars öppet köp.",
                "Livraison gratuite et retours sous 30 jours.",
                "Gratis bezorging en 30 dagen bedenktijd.",
            ),
        ),
        types=(
            ProductType(
                code="headphones",
                names=("Headphones", "Hörlurar", "Casques et écouteurs", "Koptelefoons"),
                nouns=(
                    noun("Headset", "ett headset", "un casque audio", "de headset"),
                    noun(
                        "In-Ear Headphone",
                        "en in-ear-hörlur",
                        "un écouteur intra-auriculaire",
                        "het in-ear oortje",
                    ),
                ),
                materials=("aluminium", "recycled-plastic", "leather", "fabric", "silicone"),
                price_sek=(299, 3999),
                weight_grams=(50, 400),
            ),
            ProductType(
                code="speakers",
                names=("Speakers", "Högtalare", "Enceintes", "Speakers"),
                nouns=(
                    noun("Speaker", "en högtalare", "une enceinte", "de speaker"),
                    noun("Soundbar", "en soundbar", "une barre de son", "de soundbar"),
                ),
                materials=("aluminium", "walnut", "oak", "fabric", "recycled-plastic"),
                price_sek=(499, 4999),
                weight_grams=(400, 4000),
            ),
            ProductType(
                code="chargers",
                names=("Chargers", "Laddare", "Chargeurs", "Opladers"),
                nouns=(
                    noun("Charger", "en laddare", "un chargeur", "de oplader"),
                    noun("Power Bank", "en powerbank", "une batterie externe", "de powerbank"),
                ),
                materials=("aluminium", "recycled-plastic", "silicone", "bamboo", "glass"),
                adjectives=_keys(
                    "wireless portable compact smart modern minimalist classic sturdy lightweight"
                    " professional stylish magnetic"
                ),
                price_sek=(149, 999),
                weight_grams=(80, 400),
            ),
            ProductType(
                code="cases",
                names=("Cases & Sleeves", "Fodral", "Housses et étuis", "Hoezen"),
                nouns=(
                    noun(
                        "Laptop Sleeve",
                        "ett datorfodral",
                        "une housse pour ordinateur portable",
                        "de laptophoes",
                    ),
                    noun(
                        "Phone Case",
                        "ett mobilskal",
                        "une coque de téléphone",
                        "het telefoonhoesje",
                    ),
                ),
                materials=("leather", "silicone", "felt", "recycled-polyester", "canvas", "cork"),
                adjectives=_keys(
                    "classic minimalist sturdy lightweight elegant stylish modern durable"
                    " waterproof magnetic"
                ),
                price_sek=(99, 899),
                weight_grams=(40, 500),
            ),
            ProductType(
                code="keyboards",
                names=(
                    "Keyboards & Mice",
                    "Tangentbord och möss",
                    "Claviers et souris",
                    "Toetsenborden en muizen",
                ),
                nouns=(
                    noun("Keyboard", "ett tangentbord", "un clavier", "het toetsenbord"),
                    noun("Mouse", "en mus", "une souris", "de muis"),
                ),
                materials=("aluminium", "recycled-plastic", "walnut", "oak", "bamboo"),
                price_sek=(199, 2499),
                weight_grams=(80, 1200),
            ),
            ProductType(
                code="desk",
                names=(
                    "Desk Lamps & Clocks",
                    "Skrivbordslampor och klockor",
                    "Lampes de bureau et réveils",
                    "Bureaulampen en wekkers",
                ),
                nouns=(
                    noun("Desk Lamp", "en skrivbordslampa", "une lampe de bureau", "de bureaulamp"),
                    noun("Alarm Clock", "en väckarklocka", "un réveil", "de wekker"),
                ),
                materials=("aluminium", "oak", "walnut", "glass", "recycled-plastic", "steel"),
                price_sek=(199, 1999),
                weight_grams=(200, 2000),
            ),
        ),
    ),
    Department(
        code="sports",
        names=("Sports", "Sport och fritid", "Sport", "Sport"),
        description=(
            "Gear for running, training, yoga and the outdoors.",
            "Utrustning för löpning, träning, yoga och friluftsliv.",
            "De l'équipement pour la course, l'entraînement, le yoga et le plein air.",
            "Uitrusting voor hardlopen, training, yoga en buitensport.",
        ),
        segments=(
            ("Running", "Löpning", "Course à pied", "Hardlopen"),
            ("Training", "Träning", "Fitness", "Training"),
            ("Outdoor", "Friluftsliv", "Plein air", "Buitensport"),
            ("Yoga", "Yoga", "Yoga", "Yoga"),
        ),
        brands=("Rörelse", "Élan Sport", "Sprintwerk", "Fjälltopp", "Peakline"),
        adjectives=_keys(
            "lightweight breathable quick-dry waterproof warm classic insulated durable stylish"
            " professional relaxed minimalist"
        ),
        palette=_keys("black white grey navy blue green olive red pink yellow"),
        taglines=(
            (
                "Ready for training, indoors and out.",
                "Redo för träning inomhus och utomhus.",
                "Pour s'entraîner en salle comme en plein air.",
                "Klaar voor training, binnen en buiten.",
            ),
            (
                "From the first workout to the finish line.",
                "Från första passet till mållinjen.",
                "De la première séance à la ligne d'arrivée.",
                "Van de eerste training tot de finish.",
            ),
            (
                "Move more, every day.",
                "Rör dig mer, varje dag.",
                "Bougez plus, chaque jour.",
                "Beweeg meer, elke dag.",
            ),
        ),
        types=(
            ProductType(
                code="sports-tops",
                names=("Sports Tops", "Träningströjor", "Hauts de sport", "Sportshirts"),
                nouns=(
                    noun("Training Top", "en träningströja", "un haut de sport", "het sportshirt"),
                    noun("Base Layer", "en underställströja", "une sous-couche", "het thermoshirt"),
                ),
                materials=("merino-wool", "recycled-polyester", "cotton", "nylon", "bamboo"),
                sizing="letter",
                price_sek=(199, 999),
                weight_grams=(120, 350),
            ),
            ProductType(
                code="sports-jackets",
                names=("Sports Jackets", "Träningsjackor", "Vestes de sport", "Sportjassen"),
                nouns=(
                    noun(
                        "Running Jacket", "en löparjacka", "une veste de running", "de hardloopjas"
                    ),
                    noun("Windbreaker", "en vindjacka", "un coupe-vent", "het windjack"),
                ),
                materials=("nylon", "recycled-polyester", "softshell", "merino-wool", "ripstop"),
                sizing="letter",
                price_sek=(499, 2499),
                weight_grams=(200, 700),
            ),
            ProductType(
                code="yoga",
                names=(
                    "Yoga Mats & Blocks",
                    "Yogamattor och yogablock",
                    "Tapis et briques de yoga",
                    "Yogamatten en yogablokken",
                ),
                nouns=(
                    noun("Yoga Mat", "en yogamatta", "un tapis de yoga", "de yogamat"),
                    noun("Yoga Block", "ett yogablock", "une brique de yoga", "het yogablok"),
                ),
                materials=("cork", "natural-rubber", "jute", "cotton", "foam"),
                adjectives=_keys(
                    "classic lightweight foldable ergonomic sturdy compact professional cushioned"
                    " vegan minimalist"
                ),
                price_sek=(149, 1299),
                weight_grams=(300, 2500),
            ),
            ProductType(
                code="bottles",
                names=("Water Bottles", "Vattenflaskor", "Gourdes", "Drinkflessen"),
                nouns=(
                    noun("Water Bottle", "en vattenflaska", "une gourde", "de drinkfles"),
                    noun("Vacuum Flask", "en termos", "un thermos", "de thermosfles"),
                ),
                materials=("stainless-steel", "glass", "recycled-plastic", "aluminium", "titanium"),
                adjectives=_keys(
                    "insulated lightweight compact sturdy classic leakproof minimalist"
                    " professional foldable durable"
                ),
                price_sek=(99, 599),
                weight_grams=(100, 600),
            ),
            ProductType(
                code="sports-bags",
                names=("Sports Bags", "Träningsväskor", "Sacs de sport", "Sporttassen"),
                nouns=(
                    noun("Gym Bag", "en träningsväska", "un sac de sport", "de sporttas"),
                    noun("Backpack", "en ryggsäck", "un sac à dos", "de rugzak"),
                ),
                materials=("nylon", "recycled-polyester", "canvas", "leather", "ripstop"),
                adjectives=_keys(
                    "lightweight waterproof compact foldable sturdy classic practical"
                    " professional durable minimalist"
                ),
                price_sek=(299, 1999),
                weight_grams=(400, 1500),
            ),
            ProductType(
                code="fitness",
                names=(
                    "Fitness Equipment",
                    "Träningsredskap",
                    "Matériel de fitness",
                    "Fitnessmateriaal",
                ),
                nouns=(
                    noun("Kettlebell", "en kettlebell", "un kettlebell", "de kettlebell"),
                    noun("Jump Rope", "ett hopprep", "une corde à sauter", "het springtouw"),
                    noun("Dumbbell", "en hantel", "un haltère", "de dumbbell"),
                ),
                materials=("cast-iron", "steel", "natural-rubber", "neoprene", "leather"),
                adjectives=_keys(
                    "professional compact ergonomic sturdy classic adjustable minimalist durable"
                    " portable modern"
                ),
                price_sek=(99, 1499),
                weight_grams=(200, 16000),
            ),
        ),
    ),
    Department(
        code="beauty",
        names=("Beauty", "Skönhet", "Beauté", "Verzorging"),
        description=(
            "Skin, hair and body care with gentle ingredients.",
            "Hud-, hår- och kroppsvård med milda ingredienser.",
            "Des soins pour la peau, les cheveux et le corps aux ingrédients doux.",
            "Verzorging voor huid, haar en lichaam met milde ingrediënten.",
        ),
        segments=(
            ("Vegan", "Veganskt", "Vegan", "Vegan"),
            ("Organic", "Ekologiskt", "Bio", "Biologisch"),
            ("Sensitive Skin", "Känslig hud", "Peaux sensibles", "Gevoelige huid"),
            ("Men's Grooming", "Herrvård", "Soins pour homme", "Mannenverzorging"),
        ),
        brands=("Ljus Beauté", "Maison Rose", "Zacht Cosmetics", "Nordic Bloom", "Solvind"),
        adjectives=_keys(
            "nourishing refreshing gentle moisturising calming organic vegan lightweight"
            " fragrance-free luxury soft repairing"
        ),
        palette=("red", "pink", "beige", "brown", "black", "white", "grey", "yellow"),
        taglines=(
            (
                "No parabens, no animal testing.",
                "Inga parabener och inga djurförsök.",
                "Sans parabènes ni tests sur les animaux.",
                "Zonder parabenen en zonder dierproeven.",
            ),
            (
                "Suitable for daily use.",
                "För dagligt bruk.",
                "Pour un usage quotidien.",
                "Geschikt voor dagelijks gebruik.",
            ),
            (
                "Made in Sweden with carefully selected ingredients.",
                "Tillverkas i Sverige av noga utvalda ingredienser.",
                "Fabrication suédoise, ingrédients soigneusement sélectionnés.",
                "Gemaakt in Zweden met zorgvuldig geselecteerde ingrediënten.",
            ),
        ),
        types=(
            ProductType(
                code="face-creams",
                names=("Face Creams", "Ansiktskrämer", "Crèmes visage", "Gezichtscrèmes"),
                nouns=(
                    noun("Face Cream", "en ansiktskräm", "une crème visage", "de gezichtscrème"),
                    noun("Night Cream", "en nattkräm", "une crème de nuit", "de nachtcrème"),
                    noun("Face Serum", "ett ansiktsserum", "un sérum visage", "het gezichtsserum"),
                ),
                materials=("oat", "aloe-vera", "rosehip", "vitamin-c", "chamomile", "honey"),
                colours=False,
                price_sek=(149, 799),
                weight_grams=(60, 250),
            ),
            ProductType(
                code="body-care",
                names=(
                    "Body Lotions & Scrubs",
                    "Bodylotion och skrubb",
                    "Laits et gommages corporels",
                    "Bodylotions en scrubs",
                ),
                nouns=(
                    noun("Body Lotion", "en bodylotion", "un lait corporel", "de bodylotion"),
                    noun("Body Scrub", "en kroppsskrubb", "un gommage corporel", "de bodyscrub"),
                ),
                materials=("shea", "coconut", "lavender", "oat", "honey", "aloe-vera"),
                colours=False,
                price_sek=(99, 499),
                weight_grams=(150, 500),
            ),
            ProductType(
                code="hair-care",
                names=(
                    "Shampoos & Conditioners",
                    "Schampo och balsam",
                    "Shampooings et après-shampooings",
                    "Shampoos en conditioners",
                ),
                nouns=(
                    noun("Shampoo", "ett schampo", "un shampooing", "de shampoo"),
                    noun("Conditioner", "ett hårbalsam", "un après-shampooing", "de conditioner"),
                ),
                materials=("argan", "coconut", "aloe-vera", "chamomile", "honey", "rosehip"),
                colours=False,
                price_sek=(79, 399),
                weight_grams=(200, 600),
            ),
            ProductType(
                code="soaps",
                names=("Soaps", "Tvålar", "Savons", "Zepen"),
                nouns=(
                    noun("Hand Soap", "en handtvål", "un savon pour les mains", "de handzeep"),
                    noun("Soap Bar", "en tvål", "un savon solide", "het zeepblok"),
                ),
                materials=("lavender", "honey", "oat", "coconut", "shea", "chamomile"),
                colours=False,
                price_sek=(49, 199),
                weight_grams=(100, 400),
            ),
            ProductType(
                code="lip-care",
                names=(
                    "Lipsticks & Lip Balms",
                    "Läppstift och läppbalsam",
                    "Rouges et baumes à lèvres",
                    "Lippenstiften en lippenbalsems",
                ),
                nouns=(
                    noun("Lipstick", "ett läppstift", "un rouge à lèvres", "de lippenstift"),
                    noun("Lip Balm", "ett läppbalsam", "un baume à lèvres", "de lippenbalsem"),
                ),
                materials=("shea", "coconut", "honey", "rosehip", "argan"),
                price_sek=(59, 349),
                weight_grams=(10, 60),
            ),
            ProductType(
                code="bath",
                names=(
                    "Bath Salts & Oils",
                    "Badsalt och badoljor",
                    "Sels et huiles de bain",
                    "Badzouten en badoliën",
                ),
                nouns=(
                    noun("Bath Salt", "ett badsalt", "un sel de bain", "het badzout"),
                    noun("Bath Oil", "en badolja", "une huile de bain", "de badolie"),
                ),
                materials=("lavender", "eucalyptus", "chamomile", "rosehip", "coconut", "argan"),
                colours=False,
                price_sek=(79, 449),
                weight_grams=(150, 700),
            ),
        ),
    ),
    Department(
        code="toys",
        names=("Toys", "Leksaker", "Jouets", "Speelgoed"),
        description=(
            "Toys that invite play and last for the next child too.",
            "Leksaker som bjuder in till lek och håller till nästa barn också.",
            "Des jouets qui donnent envie de jouer et qui durent pour le suivant.",
            "Speelgoed dat uitnodigt tot spelen en ook voor het volgende kind meegaat.",
        ),
        segments=(
            ("Baby", "Bebis", "Bébé", "Baby"),
            ("Toddler", "Småbarn", "Tout-petits", "Peuters"),
            ("Kids", "Barn", "Enfants", "Kinderen"),
            ("Family", "Familj", "Famille", "Gezin"),
        ),
        brands=("Lekfull", "Petit Atelier", "Tumble & Co", "Klosslek", "Speelhuis"),
        adjectives=_keys(
            "colourful educational classic soft handmade sturdy compact cosy magnetic musical"
            " foldable playful"
        ),
        palette=("red", "blue", "green", "yellow", "pink", "white", "beige", "navy", "grey"),
        taglines=(
            (
                "Recommended from 3 years.",
                "Rekommenderas från 3 år.",
                "À partir de 3 ans.",
                "Aanbevolen vanaf 3 jaar.",
            ),
            (
                "Safety tested to EN 71.",
                "Säkerhetstestas enligt EN 71.",
                "Conforme à la norme EN 71.",
                "Veiligheidsgetest volgens EN 71.",
            ),
            (
                "Hours of play, year after year.",
                "Timmar av lek, år efter år.",
                "Des heures de jeu, année après année.",
                "Urenlang speelplezier, jaar na jaar.",
            ),
        ),
        types=(
            ProductType(
                code="building-blocks",
                names=("Building Blocks", "Byggklossar", "Jeux de construction", "Bouwblokken"),
                nouns=(
                    noun("Block Set", "en klosslåda", "un jeu de cubes", "de blokkendoos"),
                    noun("Marble Run", "en kulbana", "un circuit à billes", "de knikkerbaan"),
                ),
                materials=("wood", "beech", "birch", "bamboo", "recycled-plastic"),
                price_sek=(149, 1299),
                weight_grams=(300, 3000),
            ),
            ProductType(
                code="soft-toys",
                names=("Soft Toys", "Gosedjur", "Peluches", "Knuffels"),
                nouns=(
                    noun("Teddy Bear", "en nalle", "un doudou ours", "de teddybeer"),
                    noun("Plush Rabbit", "en gosekanin", "un doudou lapin", "het knuffelkonijn"),
                ),
                materials=("cotton", "organic-cotton", "wool", "linen", "recycled-polyester"),
                adjectives=_keys(
                    "soft cosy classic handmade colourful musical playful charming timeless compact"
                ),
                price_sek=(99, 599),
                weight_grams=(100, 600),
            ),
            ProductType(
                code="puzzles-games",
                names=(
                    "Puzzles & Games",
                    "Pussel och spel",
                    "Puzzles et jeux",
                    "Puzzels en spellen",
                ),
                nouns=(
                    noun("Jigsaw Puzzle", "ett pussel", "un puzzle", "de legpuzzel"),
                    noun("Board Game", "ett brädspel", "un jeu de société", "het bordspel"),
                ),
                materials=("wood", "cardboard", "beech", "bamboo", "recycled-plastic"),
                price_sek=(99, 699),
                weight_grams=(300, 1500),
            ),
            ProductType(
                code="dolls",
                names=(
                    "Dolls & Dollhouses",
                    "Dockor och dockskåp",
                    "Poupées et maisons de poupée",
                    "Poppen en poppenhuizen",
                ),
                nouns=(
                    noun("Doll", "en docka", "une poupée", "de pop"),
                    noun("Dollhouse", "ett dockskåp", "une maison de poupée", "het poppenhuis"),
                ),
                materials=("wood", "birch", "beech", "pine", "recycled-plastic"),
                price_sek=(149, 1999),
                weight_grams=(200, 8000),
            ),
            ProductType(
                code="outdoor-toys",
                names=("Outdoor Toys", "Utomhusleksaker", "Jeux d'extérieur", "Buitenspeelgoed"),
                nouns=(
                    noun("Balance Bike", "en springcykel", "une draisienne", "de loopfiets"),
                    noun("Sled", "en pulka", "une luge", "de slee"),
                ),
                materials=("wood", "steel", "birch", "recycled-plastic", "aluminium"),
                price_sek=(199, 1999),
                weight_grams=(1000, 5000),
            ),
            ProductType(
                code="pretend-play",
                names=(
                    "Pretend Play Toys",
                    "Rolleksaker",
                    "Jouets d'imitation",
                    "Speelgoed voor rollenspel",
                ),
                nouns=(
                    noun(
                        "Play Kitchen", "ett lekkök", "une cuisine pour enfants", "de speelkeuken"
                    ),
                    noun(
                        "Tool Box", "en verktygslåda", "une boîte à outils", "de gereedschapskist"
                    ),
                ),
                materials=("wood", "birch", "beech", "recycled-plastic", "bamboo"),
                price_sek=(199, 2499),
                weight_grams=(500, 12000),
            ),
        ),
    ),
    Department(
        code="garden",
        names=("Garden", "Trädgård", "Jardin", "Tuin"),
        description=(
            "Tools, furniture and pots for the garden and the balcony.",
            "Redskap, möbler och krukor för trädgården och balkongen.",
            "Outils, mobilier et pots pour le jardin et le balcon.",
            "Gereedschap, meubels en potten voor de tuin en het balkon.",
        ),
        segments=(
            ("Balcony", "Balkong", "Balcon", "Balkon"),
            ("Patio", "Uteplats", "Terrasse", "Terras"),
            ("Kitchen Garden", "Köksträdgård", "Potager", "Moestuin"),
            ("Greenhouse", "Växthus", "Serre", "Kas"),
        ),
        brands=("Grönska", "Jardin Vert", "Tuinman & Zn", "Rotfast", "Bloomfield"),
        adjectives=_keys(
            "weatherproof rustic classic foldable sturdy practical compact ergonomic modern"
            " handmade durable stackable"
        ),
        palette=("black", "white", "grey", "green", "olive", "beige", "brown", "blue", "yellow"),
        taglines=(
            (
                "Made to withstand the Nordic weather.",
                "Tål nordiskt väder.",
                "Résiste à la météo nordique.",
                "Bestand tegen het noordse weer.",
            ),
            (
                "For the garden, the balcony and the patio.",
                "För trädgården, balkongen och uteplatsen.",
                "Pour le jardin, le balcon et la terrasse.",
                "Voor de tuin, het balkon en het terras.",
            ),
            (
                "Store indoors over the winter.",
                "Förvara inomhus under vintern.",
                "À ranger à l'intérieur pendant l'hiver.",
                "'s Winters binnen bewaren.",
            ),
        ),
        types=(
            ProductType(
                code="plant-pots",
                names=(
                    "Plant Pots & Planters",
                    "Krukor och odlingslådor",
                    "Pots et jardinières",
                    "Bloempotten en plantenbakken",
                ),
                nouns=(
                    noun("Plant Pot", "en kruka", "un pot de fleurs", "de bloempot"),
                    noun("Planter", "en odlingslåda", "une jardinière", "de plantenbak"),
                ),
                materials=("terracotta", "ceramic", "zinc", "concrete", "recycled-plastic", "oak"),
                price_sek=(79, 1499),
                weight_grams=(300, 12000),
            ),
            ProductType(
                code="garden-tools",
                names=("Garden Tools", "Trädgårdsredskap", "Outils de jardin", "Tuingereedschap"),
                nouns=(
                    noun("Trowel", "en planteringsspade", "un transplantoir", "het plantschepje"),
                    noun("Pruner", "en sekatör", "un sécateur", "de snoeischaar"),
                    noun("Rake", "en kratta", "un râteau", "de hark"),
                ),
                materials=("stainless-steel", "carbon-steel", "ash", "beech", "aluminium", "steel"),
                price_sek=(99, 899),
                weight_grams=(150, 2000),
            ),
            ProductType(
                code="watering",
                names=(
                    "Watering Cans & Hoses",
                    "Vattenkannor och slangar",
                    "Arrosoirs et tuyaux",
                    "Gieters en slangen",
                ),
                nouns=(
                    noun("Watering Can", "en vattenkanna", "un arrosoir", "de gieter"),
                    noun("Garden Hose", "en trädgårdsslang", "un tuyau d'arrosage", "de tuinslang"),
                ),
                materials=_keys("zinc galvanised-steel recycled-plastic copper brass rubber"),
                price_sek=(149, 999),
                weight_grams=(500, 4000),
            ),
            ProductType(
                code="garden-furniture",
                names=("Garden Furniture", "Utemöbler", "Mobilier de jardin", "Tuinmeubelen"),
                nouns=(
                    noun(
                        "Garden Chair", "en trädgårdsstol", "une chaise de jardin", "de tuinstoel"
                    ),
                    noun(
                        "Garden Table", "ett trädgårdsbord", "une table de jardin", "de tuintafel"
                    ),
                    noun("Garden Bench", "en trädgårdssoffa", "un banc de jardin", "de tuinbank"),
                ),
                materials=("teak", "acacia", "aluminium", "galvanised-steel", "rattan", "pine"),
                price_sek=(499, 4999),
                weight_grams=(3000, 25000),
            ),
            ProductType(
                code="birdhouses",
                names=(
                    "Birdhouses & Feeders",
                    "Fågelholkar och fågelbord",
                    "Nichoirs et mangeoires",
                    "Vogelhuisjes en voedersilo's",
                ),
                nouns=(
                    noun("Birdhouse", "en fågelholk", "un nichoir", "het vogelhuisje"),
                    noun("Bird Feeder", "en fågelautomat", "une mangeoire", "de voedersilo"),
                ),
                materials=("pine", "oak", "cedar", "birch", "zinc"),
                adjectives=_keys(
                    "rustic classic handmade weatherproof sturdy practical compact modern durable"
                    " charming"
                ),
                price_sek=(99, 699),
                weight_grams=(300, 2000),
            ),
            ProductType(
                code="outdoor-lighting",
                names=(
                    "Outdoor Lighting",
                    "Utebelysning",
                    "Éclairage extérieur",
                    "Buitenverlichting",
                ),
                nouns=(
                    noun(
                        "Solar Lantern", "en sollykta", "une lanterne solaire", "de solarlantaarn"
                    ),
                    noun(
                        "Outdoor Wall Light",
                        "en utomhusvägglampa",
                        "une applique extérieure",
                        "de buitenwandlamp",
                    ),
                ),
                materials=("zinc", "stainless-steel", "glass", "brass", "rattan", "aluminium"),
                price_sek=(199, 1999),
                weight_grams=(300, 3000),
            ),
        ),
    ),
    Department(
        code="books",
        names=("Books", "Böcker", "Livres", "Boeken"),
        description=(
            "Books to cook, travel, craft and read with.",
            "Böcker att laga mat, resa, pyssla och läsa med.",
            "Des livres pour cuisiner, voyager, créer et lire.",
            "Boeken om mee te koken, te reizen, te knutselen en te lezen.",
        ),
        segments=(
            ("English Books", "Engelska böcker", "Livres en anglais", "Engelse boeken"),
            ("Swedish Books", "Svenska böcker", "Livres en suédois", "Zweedse boeken"),
            ("French Books", "Franska böcker", "Livres en français", "Franse boeken"),
            ("Dutch Books", "Nederländska böcker", "Livres en néerlandais", "Nederlandse boeken"),
        ),
        brands=(
            "Lindqvist Förlag",
            "Éditions du Phare",
            "Uitgeverij Zeewind",
            "Northway Press",
            "Bokstaven",
        ),
        adjectives=_keys(
            "illustrated classic complete practical modern annotated revised inspiring timeless"
            " charming"
        ),
        palette=(),
        taglines=(
            (
                "A gift that lasts.",
                "En present som varar.",
                "Un cadeau qui dure.",
                "Een cadeau dat blijft.",
            ),
            (
                "Printed on FSC-certified paper.",
                "Trycks på FSC-certifierat papper.",
                "Impression sur papier certifié FSC.",
                "Gedrukt op FSC-gecertificeerd papier.",
            ),
            (
                "Free delivery on all books.",
                "Fri frakt på alla böcker.",
                "Livraison gratuite pour tous les livres.",
                "Gratis verzending op alle boeken.",
            ),
        ),
        tax_class="reduced",
        types=(
            ProductType(
                code="cookbooks",
                names=("Cookbooks", "Kokböcker", "Livres de cuisine", "Kookboeken"),
                nouns=(
                    noun("Cookbook", "en kokbok", "un livre de cuisine", "het kookboek"),
                    noun("Baking Book", "en bakbok", "un livre de pâtisserie", "het bakboek"),
                ),
                materials=("hardcover", "paperback", "pocket", "large-print", "spiral-bound"),
                colours=False,
                price_sek=(149, 449),
                weight_grams=(400, 1500),
            ),
            ProductType(
                code="travel-guides",
                names=("Travel Guides", "Reseguider", "Guides de voyage", "Reisgidsen"),
                nouns=(
                    noun("Travel Guide", "en reseguide", "un guide de voyage", "de reisgids"),
                    noun("Road Atlas", "en vägatlas", "un atlas routier", "de wegenatlas"),
                ),
                materials=("hardcover", "paperback", "pocket", "large-print", "spiral-bound"),
                colours=False,
                price_sek=(99, 349),
                weight_grams=(250, 1200),
            ),
            ProductType(
                code="childrens-books",
                names=("Children's Books", "Barnböcker", "Livres pour enfants", "Kinderboeken"),
                nouns=(
                    noun("Picture Book", "en bilderbok", "un livre d'images", "het prentenboek"),
                    noun(
                        "Fairy Tale Book", "en sagobok", "un livre de contes", "het sprookjesboek"
                    ),
                ),
                materials=("hardcover", "paperback", "pocket", "large-print", "linen-bound"),
                adjectives=_keys(
                    "illustrated classic charming colourful educational playful cosy timeless"
                    " inspiring modern"
                ),
                colours=False,
                price_sek=(79, 299),
                weight_grams=(200, 900),
            ),
            ProductType(
                code="fiction",
                names=("Fiction", "Skönlitteratur", "Romans", "Romans"),
                nouns=(
                    noun("Novel", "en roman", "un roman", "de roman"),
                    noun(
                        "Short Story Collection",
                        "en novellsamling",
                        "un recueil de nouvelles",
                        "de verhalenbundel",
                    ),
                ),
                materials=("hardcover", "paperback", "pocket", "large-print", "linen-bound"),
                colours=False,
                price_sek=(59, 299),
                weight_grams=(150, 800),
            ),
            ProductType(
                code="craft-books",
                names=("Craft Books", "Hobbyböcker", "Livres de loisirs créatifs", "Hobbyboeken"),
                nouns=(
                    noun("Knitting Book", "en stickbok", "un livre de tricot", "het breiboek"),
                    noun(
                        "Gardening Handbook",
                        "en trädgårdshandbok",
                        "un manuel de jardinage",
                        "het tuinhandboek",
                    ),
                ),
                materials=("hardcover", "paperback", "spiral-bound", "large-print", "pocket"),
                colours=False,
                price_sek=(129, 399),
                weight_grams=(300, 1200),
            ),
            ProductType(
                code="notebooks",
                names=(
                    "Notebooks & Diaries",
                    "Anteckningsböcker och kalendrar",
                    "Carnets et agendas",
                    "Notitieboeken en agenda's",
                ),
                nouns=(
                    noun("Notebook", "en anteckningsbok", "un carnet", "het notitieboek"),
                    noun("Diary", "en dagbok", "un agenda", "de agenda"),
                ),
                materials=("hardcover", "spiral-bound", "pocket", "leather-bound", "linen-bound"),
                adjectives=_keys(
                    "classic minimalist handmade compact practical timeless elegant modern luxury"
                    " colourful"
                ),
                colours=False,
                price_sek=(49, 449),
                weight_grams=(100, 600),
            ),
        ),
    ),
)


def vocabulary_problems() -> list[str]:
    """What would make two products' names the same, or a profile's tree impossible to fill.

    Names are unique when every word list has distinct entries in every language: a product's
    name is then determined by (model, adjective, material, noun) and differs when they differ.
    """
    problems: list[str] = []

    def distinct(what: str, values: list[str]) -> None:
        seen: set[str] = set()
        for value in values:
            if value.lower() in seen:
                problems.append(f"{what}: {value!r} twice")
            seen.add(value.lower())

    nouns = [n for d in DEPARTMENTS for t in d.types for n in t.nouns]
    for field in ("en", "sv", "fr", "nl"):
        distinct(f"noun {field}", [getattr(n, field) for n in nouns])
    for field in ("en", "sv_en", "sv_ett", "fr_m", "fr_f", "nl_de", "nl_het"):
        distinct(f"adjective {field}", [getattr(a, field) for a in ADJECTIVES.values()])
    for field in ("en", "sv", "fr", "nl"):
        distinct(f"material {field}", [getattr(m, field) for m in MATERIALS.values()])
    distinct("model", list(MODELS))
    words = {w.lower() for m in MATERIALS.values() for w in m.en.split()}
    words |= {w.lower() for a in ADJECTIVES.values() for w in a.en.split()}
    problems.extend(f"model {m} is also a word" for m in MODELS if m.lower() in words)
    distinct("department", [d.code for d in DEPARTMENTS])
    for d in DEPARTMENTS:
        if len(d.types) < 6 or len(d.segments) < 4 or len(d.brands) < 3:
            problems.append(f"{d.code}: needs 6 types, 4 segments and 3 brands")
        distinct(f"{d.code} types", [t.code for t in d.types])
        problems.extend(f"{d.code}: colour {c}" for c in d.palette if c not in COLOURS)
        for t in d.types:
            adjectives = t.adjectives or d.adjectives
            if len(t.nouns) < 2 or len(t.materials) < 5 or len(adjectives) < 10:
                problems.append(f"{d.code}/{t.code}: needs 2 nouns, 5 materials, 10 adjectives")
            problems.extend(f"{t.code}: adjective {a}" for a in adjectives if a not in ADJECTIVES)
            problems.extend(f"{t.code}: material {m}" for m in t.materials if m not in MATERIALS)
            if t.colours and len(d.palette) < 8:
                problems.append(f"{d.code}/{t.code}: colours need a palette of 8")
            low, high = t.price_sek
            if not 19 <= low < high <= 9999:
                problems.append(f"{d.code}/{t.code}: price range {t.price_sek}")
    return problems
