"""HTML element knowledge for `html.py`: the sanitiser's allow-lists, and which elements break lines in text."""

from __future__ import annotations


def _names(text: str) -> frozenset[str]:
    return frozenset(text.split())


TAGS = _names(
    """
    a abbr acronym address article aside b bdi bdo big blockquote br caption center cite code col colgroup
    dd del details dfn div dl dt em figcaption figure font footer h1 h2 h3 h4 h5 h6 header hgroup hr i img
    ins kbd li main mark nav ol p pre q rp rt ruby s samp section small span strike strong style sub summary
    sup table tbody td tfoot th thead time tr tt u ul var wbr
    """
)

# Removed together with their content; any other tag not in TAGS is unwrapped and its text kept.
DROP_WITH_CONTENT = _names(
    """
    script title noscript iframe frame frameset object embed applet template svg math head select button
    textarea audio video canvas
    """
)

_CELL = {"align", "valign", "bgcolor", "background", "width", "height", "colspan", "rowspan", "nowrap", "scope"}
ATTRIBUTES: dict[str, set[str]] = {
    "*": {"style", "class", "title", "dir", "lang", "align"},
    "a": {"href", "name"},
    "img": {"src", "alt", "width", "height", "border", "hspace", "vspace", "valign"},
    "font": {"color", "face", "size"},
    "table": {"width", "height", "border", "cellpadding", "cellspacing", "bgcolor", "background", "summary"},
    "td": _CELL,
    "th": _CELL,
    "tr": {"valign", "bgcolor", "background", "height"},
    "tbody": {"valign"},
    "thead": {"valign"},
    "tfoot": {"valign"},
    "col": {"span", "width", "valign"},
    "colgroup": {"span", "width", "valign"},
    "div": {"bgcolor", "background"},
    "ol": {"start", "type", "reversed"},
    "ul": {"type"},
    "li": {"value", "type"},
    "hr": {"size", "width", "noshade", "color"},
}

# nh3 checks these on href/src; html._Filter narrows them per attribute (href: http/https/mailto only).
URL_SCHEMES = frozenset({"http", "https", "mailto", "cid", "data"})

_SIDES = ("", "-top", "-right", "-bottom", "-left")
# No position/top/left/z-index/transform: a mail must not draw over the reader or fake its UI.
CSS_PROPERTIES = frozenset(
    {f"margin{side}" for side in _SIDES}
    | {f"padding{side}" for side in _SIDES}
    | {f"border{side}{part}" for side in _SIDES for part in ("", "-color", "-style", "-width")}
    | {f"border-{v}-{h}-radius" for v in ("top", "bottom") for h in ("left", "right")}
    | _names(
        """
        background background-color background-image background-position background-repeat background-size
        border-radius border-collapse border-spacing box-shadow box-sizing caption-side clear color direction
        display empty-cells float font font-family font-size font-stretch font-style font-variant font-weight
        height letter-spacing line-height list-style list-style-position list-style-type max-height max-width
        min-height min-width opacity outline overflow overflow-x overflow-y overflow-wrap table-layout
        text-align text-decoration text-decoration-color text-indent text-overflow text-shadow text-transform
        unicode-bidi vertical-align visibility white-space width word-break word-spacing word-wrap
        """
    )
)

# Anything here in a CSS value can run code, load content or hide a URL from the checks (escapes).
CSS_FORBIDDEN = (
    "\\",
    "expression",
    "javascript:",
    "vbscript:",
    "behavior",
    "binding",
    "@import",
    "var(",
    "attr(",
    "image-set(",
    "image(",
    "element(",
    "cross-fade(",
    "paint(",
    "src(",
)


# For html_to_text: these start a new line; td/th become a space; the rest vanish without a gap.
BLOCK_ELEMENTS = _names(
    """
    p div br tr li h1 h2 h3 h4 h5 h6 table thead tbody tfoot ul ol dl dt dd blockquote pre hr section article
    header footer nav aside main figure figcaption address center form fieldset caption details summary body html
    """
)
INLINE_ELEMENTS = _names("a b i u s em strong span font img small big sub sup code tt abbr mark q label wbr")
