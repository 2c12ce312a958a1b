"""Inline styles of the report template, for the e-mail and for print.

E-mail clients drop ``<style>`` blocks and classes, so every element carries
its own ``style`` attribute from :data:`EMAIL`. (The PDF is laid out by Typst,
``templates/report.typ``, in the same colours.)
All text colours reach at least 4.5:1 on their background (WCAG 2.1 AA), most
well above 7:1; the accessibility test checks this with axe-core.
"""

from __future__ import annotations

INK = "#1a1a1a"  # 17.4:1 on white
MUTED = "#4a4a4a"  # 8.9:1 on white
NAVY = "#1f3a5f"  # white on navy 11.6:1
RULE = "#b8c4d0"
HEAD_BG = "#e8eef5"  # ink on it 15.2:1
FONT = "'DejaVu Sans', Verdana, Arial, Helvetica, sans-serif"


def css(**properties: str) -> str:
    """``css(font_size="12px")`` → ``font-size:12px;``."""
    return "".join(f"{name.replace('_', '-')}:{value};" for name, value in properties.items())


def _cell(align: str, **more: str) -> str:
    return css(text_align=align, vertical_align="top", padding="6px 8px", color=INK, **more)


def _head(align: str) -> str:
    return css(
        text_align=align,
        vertical_align="bottom",
        padding="6px 8px",
        background_color=HEAD_BG,
        border_bottom=f"2px solid {NAVY}",
        color=INK,
        font_weight="bold",
    )


def _badge(background: str, colour: str) -> str:
    return css(
        display="inline-block",
        padding="1px 7px",
        border_radius="3px",
        background_color=background,
        color=colour,
        font_weight="bold",
        white_space="nowrap",
    )


def _table(size: str, gap: str) -> str:
    return css(width="100%", border_collapse="collapse", margin=f"0 0 {gap} 0", font_size=size, color=INK)


EMAIL: dict[str, str] = {
    "body": css(margin="0", padding="0", background_color="#ffffff", color=INK, font_family=FONT)
    + css(font_size="15px", line_height="1.45"),
    "page": css(max_width="760px", margin="0 auto", padding="0 12px 24px 12px"),
    "banner": css(background_color=NAVY, color="#ffffff", padding="18px 20px 16px 20px", margin="0 0 16px 0"),
    "kicker": css(margin="0 0 4px 0", font_size="13px", letter_spacing="0.04em", text_transform="uppercase")
    + css(color="#ffffff"),
    "h1": css(margin="0", font_size="26px", line_height="1.2", font_weight="bold", color="#ffffff"),
    "banner_meta": css(margin="8px 0 0 0", font_size="13px", color="#ffffff"),
    "h2": css(margin="28px 0 8px 0", padding="0 0 4px 0", font_size="20px", line_height="1.25", color=NAVY)
    + css(border_bottom=f"2px solid {NAVY}"),
    "h3": css(margin="18px 0 6px 0", font_size="16px", line_height="1.3", color=INK),
    "p": css(margin="0 0 10px 0", color=INK),
    "small": css(font_size="12px", color=MUTED),
    "note": css(margin="0 0 10px 0", padding="8px 12px", background_color="#fff4e5", color=INK)
    + css(border_left="4px solid #8a4b00"),
    "table": _table("14px", "14px"),
    "table_small": _table("12.5px", "14px"),
    "caption": css(caption_side="top", text_align="left", font_weight="bold", padding="0 0 6px 0", color=INK),
    "th": _head("left"),
    "th_num": _head("right"),
    "th_row": _cell("left", border_bottom=f"1px solid {RULE}", font_weight="bold"),
    "td": _cell("left", border_bottom=f"1px solid {RULE}"),
    "td_num": _cell("right", border_bottom=f"1px solid {RULE}"),
    "th_total": _cell("left", border_top=f"2px solid {NAVY}", font_weight="bold"),
    "td_total": _cell("right", border_top=f"2px solid {NAVY}", font_weight="bold"),
    "nowrap": css(white_space="nowrap"),
    "value": css(display="inline-block", min_width="4.6em", white_space="nowrap"),
    "ok": _badge("#e6f4ea", "#1b5e20"),
    "bad": _badge("#fce8e6", "#a50e0e"),
    "none": _badge("#f1f1f1", MUTED),
    "list": css(margin="0 0 10px 0", padding="0 0 0 20px", color=INK),
    "li": css(margin="0 0 4px 0"),
    "figure": css(margin="8px 0 14px 0"),
    "img": css(display="block", width="100%", max_width="720px", height="auto", border="0"),
    "figcaption": css(margin="4px 0 0 0", font_size="12px", color=MUTED),
    "footer": css(margin="28px 0 0 0", padding="10px 0 0 0", border_top=f"1px solid {RULE}", font_size="12px")
    + css(color=MUTED),
}
