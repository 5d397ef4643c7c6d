"""Scanned paper, drawn with Pillow: a business licence (营业执照), a public institution's
certificate (事业单位法人证书), the copy of an individual's ID card with its sensitive parts blacked
out, and the signature page of a contract. A ``Page`` is white paper with black text, seals and a
signature; ``finish`` adds a little noise, blur and skew and saves it as PNG or JPEG. Registered
capital, business scopes and district names come from ``data/documents.toml`` and
``data/regions.toml``.
"""

from __future__ import annotations

import io
import random
from datetime import date, timedelta

from .common import FONT_FILE, OUR_NAME, cn_date, load, masked_id
from .customers import Cust, id_number, uscc_of
from .story import Contract, resolve_when

DISTRICTS = load("regions.toml")["districts"]
_DOCUMENTS = load("documents.toml")
CAPITAL = _DOCUMENTS["capital"]
SCOPES = _DOCUMENTS["scopes"]
_FONT_CACHE: dict = {}


def font(size: int):
    from PIL import ImageFont

    if size not in _FONT_CACHE:
        _FONT_CACHE[size] = ImageFont.truetype(FONT_FILE, size, index=0)
    return _FONT_CACHE[size]


class Page:
    W, H = 1000, 1400

    def __init__(self):
        from PIL import Image, ImageDraw

        self.img = Image.new("L", (self.W, self.H), 255)
        self.draw = ImageDraw.Draw(self.img)

    def text(self, x, y, s, size=40, fill=15, anchor="la"):
        self.draw.text((x, y), s, font=font(size), fill=fill, anchor=anchor)

    def center(self, y, s, size=40, fill=15):
        self.text(self.W // 2, y, s, size, fill, anchor="ma")

    def wrap(self, x, y, s, size, right, leading=None) -> int:
        """Draw ``s`` from (x, y), breaking lines at ``right``; returns the y below the last line."""
        leading = leading or int(size * 1.45)
        f, line = font(size), ""
        for ch in s:
            if f.getlength(line + ch) > right - x:
                self.text(x, y, line, size)
                y, line = y + leading, ch
            else:
                line += ch
        if line:
            self.text(x, y, line, size)
            y += leading
        return y

    def field(self, x, y, label, value, size=40, right=920) -> int:
        self.text(x, y, label, size)
        return self.wrap(x + int(font(size).getlength(label)) + 16, y, value, size, right)

    def seal(self, cx, cy, radius, text, size=22):
        import math

        self.draw.ellipse((cx - radius, cy - radius, cx + radius, cy + radius), outline=110, width=6)
        star = [
            (
                cx + (28 if i % 2 == 0 else 11) * math.sin(i * math.pi / 5),
                cy - (28 if i % 2 == 0 else 11) * math.cos(i * math.pi / 5),
            )
            for i in range(10)
        ]
        self.draw.polygon(star, fill=110)
        self.text(cx, cy + 40, text, size, fill=110, anchor="ma")

    def squiggle(self, x, y, r: random.Random, width=160):
        pts, px = [], x
        while px < x + width:
            pts.append((px, y + r.randint(-18, 18)))
            px += r.randint(10, 22)
        self.draw.line(pts, fill=40, width=4, joint="curve")

    def finish(self, r: random.Random, fmt: str) -> bytes:
        from PIL import Image, ImageFilter

        px = self.img.load()
        for _ in range(1800):
            x, y = r.randrange(self.W), r.randrange(self.H)
            px[x, y] = min(px[x, y], r.randint(110, 210))
        for _ in range(14):
            x, y, s = r.randrange(self.W), r.randrange(self.H), r.randint(1, 3)
            self.draw.ellipse((x, y, x + s, y + s), fill=r.randint(90, 160))
        img = self.img.filter(ImageFilter.GaussianBlur(0.6))
        img = img.rotate(r.uniform(-0.9, 0.9), resample=Image.Resampling.BICUBIC, fillcolor=228)
        img = img.point(lambda v: int(v * 0.92 + 12))
        out = io.BytesIO()
        if fmt == "png":
            img.save(out, "PNG", optimize=True)
        else:
            img.save(out, "JPEG", quality=78)
        return out.getvalue()


def scan_license(c: Cust, r: random.Random) -> Page:
    pg = Page()
    pg.draw.rectangle((36, 36, 964, 1364), outline=60, width=8)
    pg.draw.rectangle((54, 54, 946, 1346), outline=60, width=2)
    pg.seal(500, 150, 58, "", 1)
    pg.center(232, "营  业  执  照", 78)
    pg.center(330, "(副    本)", 40)
    pg.text(90, 400, "统一社会信用代码", 30)
    pg.text(90, 440, uscc_of(c), 42)
    pg.text(910, 410, f"编号 {c.division}{r.randint(10**8, 10**9 - 1)}", 24, anchor="ra")
    founded = (
        date(2008 + r.randint(0, 8), r.randint(1, 12), r.randint(1, 28))
        if c.uscc_style == "old"
        else date(2017 + r.randint(0, 4), r.randint(1, 12), r.randint(1, 28))
    )
    y = 520
    y = pg.field(90, y, "名　　称", c.name)
    y = pg.field(90, y + 4, "类　　型", "有限责任公司 (自然人投资或控股)")
    y = pg.field(90, y + 4, "法定代表人", c.legal_rep)
    y = pg.field(90, y + 4, "经营范围", SCOPES.get(c.industry, "技术开发、技术服务; 销售机械设备。"), size=32)
    y = pg.field(90, y + 4, "注册资本", CAPITAL[c.size])
    y = pg.field(90, y + 4, "成立日期", f"{founded.year} 年 {founded.month:02d} 月 {founded.day:02d} 日")
    y = pg.field(
        90, y + 4, "营业期限", f"{founded.year} 年 {founded.month:02d} 月 {founded.day:02d} 日 至 长期", size=36
    )
    pg.field(90, y + 4, "住　　所", c.address, size=36)
    for i in range(14):  # a QR-code-like block
        for j in range(14):
            if r.random() < 0.5 or (i < 3 and j < 3) or (i < 3 and j > 10) or (i > 10 and j < 3):
                pg.draw.rectangle((100 + j * 10, 1160 + i * 10, 109 + j * 10, 1169 + i * 10), fill=25)
    pg.text(520, 1165, "登记机关", 34)
    pg.seal(815, 1215, 90, f"{DISTRICTS[c.division]}市场监督管理局"[-10:], 20)
    issued = resolve_when(c, "F") - timedelta(days=r.randint(60, 400))
    pg.text(600, 1300, f"{issued.year} 年 {issued.month:02d} 月 {issued.day:02d} 日", 34)
    pg.text(90, 1310, "国家企业信用信息公示系统网址: www.gsxt.gov.cn", 20)
    return pg


def scan_org_certificate(c: Cust, r: random.Random) -> Page:
    pg = Page()
    pg.draw.rectangle((40, 40, 960, 1360), outline=60, width=6)
    pg.center(120, "事业单位法人证书", 64)
    pg.center(210, "(副  本)", 40)
    pg.text(90, 290, "统一社会信用代码", 30)
    pg.text(90, 330, uscc_of(c), 42)
    y = 430
    y = pg.field(90, y, "名　　称", c.name)
    y = pg.field(90, y + 8, "宗旨和业务范围", "实施初级中学、高级中学学历教育, 促进基础教育发展。", size=34)
    y = pg.field(90, y + 8, "住　　所", c.address, size=36)
    y = pg.field(90, y + 8, "法定代表人", c.legal_rep)
    y = pg.field(90, y + 8, "经费来源", "财政补助")
    y = pg.field(90, y + 8, "开办资金", "¥ 3260 万元")
    y = pg.field(90, y + 8, "举办单位", c.superior)
    pg.field(90, y + 8, "有效期", "自 2022 年 06 月 28 日至 2027 年 06 月 28 日", size=32)
    pg.text(480, 1110, "登记管理机关", 32)
    pg.seal(810, 1190, 95, "事业单位登记管理局", 20)
    pg.text(560, 1300, "2022 年 06 月 28 日", 34)
    return pg


def scan_id_copy(c: Cust, r: random.Random) -> Page:
    pg = Page()
    number = id_number(c)
    x0, y0 = 72, 110
    pg.draw.rounded_rectangle((x0, y0, x0 + 856, y0 + 540), radius=30, outline=70, width=4, fill=246)
    pg.text(x0 + 40, y0 + 50, "姓名", 30, fill=90)
    pg.text(x0 + 130, y0 + 44, c.name, 40)
    pg.text(x0 + 40, y0 + 120, "性别", 30, fill=90)
    pg.text(x0 + 130, y0 + 114, "女" if c.gender == "female" else "男", 40)
    pg.text(x0 + 250, y0 + 120, "民族", 30, fill=90)
    pg.text(x0 + 340, y0 + 114, "汉", 40)
    pg.text(x0 + 40, y0 + 190, "出生", 30, fill=90)
    pg.draw.rectangle((x0 + 125, y0 + 180, x0 + 500, y0 + 232), fill=0)  # 打码
    pg.text(x0 + 40, y0 + 260, "住址", 30, fill=90)
    street = c.address.split("(")[0].strip()
    pg.text(x0 + 130, y0 + 254, street[:8], 40)
    pg.draw.rectangle((x0 + 130 + int(font(40).getlength(street[:8])) + 6, y0 + 250, x0 + 560, y0 + 302), fill=0)
    pg.text(x0 + 40, y0 + 440, "公民身份号码", 30, fill=90)
    pg.text(x0 + 250, y0 + 432, masked_id(number), 42)
    pg.draw.rectangle((x0 + 600, y0 + 60, x0 + 810, y0 + 330), fill=215)  # photo
    pg.draw.ellipse((x0 + 650, y0 + 95, x0 + 760, y0 + 215), fill=165)
    pg.draw.pieslice((x0 + 615, y0 + 210, x0 + 795, y0 + 400), 180, 360, fill=165)
    x0, y0 = 72, 720
    pg.draw.rounded_rectangle((x0, y0, x0 + 856, y0 + 540), radius=30, outline=70, width=4, fill=246)
    pg.seal(x0 + 110, y0 + 110, 60, "", 1)
    pg.text(x0 + 500, y0 + 70, "中华人民共和国", 44, anchor="ma")
    pg.text(x0 + 500, y0 + 150, "居民身份证", 64, anchor="ma")
    issuer = DISTRICTS[c.id_division]
    city, district = (issuer[:3], issuer[3:]) if issuer[2] == "市" else (issuer[:4], issuer[4:])
    pg.text(x0 + 60, y0 + 380, "签发机关", 30, fill=90)
    pg.text(x0 + 210, y0 + 374, f"{city}公安局{district[:-1]}分局", 36)
    pg.text(x0 + 60, y0 + 450, "有效期限", 30, fill=90)
    pg.text(x0 + 210, y0 + 444, "2016.05.12-2036.05.12", 36)
    pg.center(1300, "仅供华信集团签约备案使用 再次复印无效", 36, fill=40)
    return pg


def scan_contract_page(c: Cust, k: Contract, r: random.Random) -> Page:
    pg = Page()
    pg.text(920, 70, f"合同编号: {k.number}", 28, anchor="ra")
    y = 150
    y = pg.wrap(90, y, "第七条 争议解决", 34, 910)
    y = pg.wrap(
        90, y, "因本合同引起的争议, 双方应友好协商解决; 协商不成的, 任何一方可向合同签订地人民法院提起诉讼。", 32, 910
    )
    y = pg.wrap(90, y + 20, "第八条 其他", 34, 910)
    y = pg.wrap(
        90, y, "本合同一式四份, 双方各执两份, 自双方签字盖章之日起生效。未尽事宜, 双方可另行签订补充协议。", 32, 910
    )
    y += 80
    for who, _rep, seal_text in ((c.name, c.legal_rep, c.name[-6:]), (OUR_NAME[c.office], c.owner, "华信集团有限公司")):
        pg.text(90, y, f"{'甲' if who == c.name else '乙'}方 (盖章): {who}", 34)
        pg.text(90, y + 70, "法定代表人或授权代表:", 34)
        pg.squiggle(470, y + 90, r)
        pg.text(90, y + 140, f"日期: {cn_date(k.date)}", 34)
        pg.seal(770, y + 90, 92, seal_text, 20)
        y += 330
    pg.center(1330, "第 6 页 共 6 页", 28)
    return pg
