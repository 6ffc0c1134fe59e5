//! Synthetic 居民身份证 fronts for tests and the accuracy benchmark — never a
//! real person's data: names are drawn from lists of common surname and
//! given-name characters, addresses from 重庆's districts and made-up
//! streets, and the number is built from the district's code, the birth
//! date, a random sequence of the right parity for the sex and the GB 11643
//! check character. The layout follows the card's front (labels in blue,
//! values in black, the number on the bottom line); it is a likeness for
//! reading, not a reproduction of the security printing.
//!
//! [`Variant`]s photograph the card: placed on a table, turned, seen at an
//! angle (perspective), blurred, noisy, or all at once.

use ab_glyph::{Font, FontRef, PxScale, ScaleFont};
use chrono::{Datelike, NaiveDate};
use image::{Rgb, RgbImage};
use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use zhifa_core::rules::identity::citizen_check_character;

use crate::geom::Pt;

const SURNAMES: &[&str] = &[
    "王", "李", "张", "刘", "陈", "杨", "黄", "赵", "吴", "周", "徐", "孙", "马", "朱", "胡", "郭",
    "何", "高", "林", "罗", "郑", "梁", "谢", "宋", "唐", "许", "韩", "冯", "邓", "曹", "彭", "曾",
    "肖", "田", "董", "袁", "潘", "于", "蒋", "蔡", "余", "杜", "叶", "程", "苏", "魏", "吕", "丁",
    "任", "沈", "欧阳", "司马",
];
const GIVEN: &[&str] = &[
    "伟", "芳", "娜", "敏", "静", "丽", "强", "磊", "军", "洋", "勇", "艳", "杰", "娟", "涛", "明",
    "超", "秀", "霞", "平", "刚", "桂", "英", "华", "玉", "萍", "红", "梅", "鑫", "波", "斌", "宇",
    "浩", "凯", "健", "俊", "帆", "帅", "旭", "宁", "婷", "雪", "琳", "晨", "欣", "怡", "佳", "子",
    "涵", "博", "文", "轩", "雨", "思", "嘉", "航", "诗", "梓", "睿", "瑶", "林", "建", "国", "志",
    "春", "兰", "海", "永", "德", "成", "荣", "福", "贵", "兴", "川", "渝",
];
const ETHNICITIES: &[&str] = &[
    "汉", "汉", "汉", "汉", "汉", "汉", "土家", "苗", "回", "蒙古", "壮", "藏",
];
/// 重庆's districts and counties with their GB/T 2260 codes.
const DISTRICTS: &[(&str, &str)] = &[
    ("500101", "万州区"),
    ("500103", "渝中区"),
    ("500104", "大渡口区"),
    ("500105", "江北区"),
    ("500106", "沙坪坝区"),
    ("500107", "九龙坡区"),
    ("500108", "南岸区"),
    ("500109", "北碚区"),
    ("500112", "渝北区"),
    ("500113", "巴南区"),
    ("500115", "长寿区"),
    ("500116", "江津区"),
    ("500117", "合川区"),
    ("500118", "永川区"),
    ("500120", "璧山区"),
    ("500151", "铜梁区"),
    ("500152", "潼南区"),
    ("500153", "荣昌区"),
    ("500236", "奉节县"),
    ("500240", "石柱土家族自治县"),
];
const TOWNS: &[&str] = &[
    "解放碑街道",
    "石桥铺街道",
    "龙溪街道",
    "白市驿镇",
    "青木关镇",
    "鱼洞街道",
    "观音桥街道",
    "两路街道",
    "南坪街道",
    "双福街道",
    "凤凰镇",
    "走马镇",
    "西彭镇",
    "界石镇",
    "龙兴镇",
    "来凤街道",
    "朝天门街道",
    "杨家坪街道",
];
const ROADS: &[&str] = &[
    "民族路",
    "中山四路",
    "渝州路",
    "建新北路",
    "学府大道",
    "长江一路",
    "杨柳路",
    "红旗河沟",
    "新华路",
    "人民路",
    "滨江路",
    "文化街",
    "桂花村",
    "黄桷坪",
    "石油路",
    "大坪正街",
    "兴隆村",
    "幸福社区",
];

/// A generated card's truth.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct SynthCard {
    /// 姓名.
    pub name: String,
    /// 性别: 男 or 女.
    pub sex: &'static str,
    /// 民族 (without 族).
    pub ethnicity: &'static str,
    /// 出生.
    pub birth_date: NaiveDate,
    /// 住址, as one string.
    pub address: String,
    /// 公民身份号码, valid (GB 11643).
    pub number: String,
}

/// How the card is photographed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Variant {
    /// The card alone, straight, sharp.
    Clean,
    /// Sensor noise (σ ≈ 14 grey levels).
    Noise,
    /// Out of focus (Gaussian blur, σ = 1.4 px).
    Blur,
    /// On a table, turned by a few degrees.
    Rotated,
    /// On a table, seen at an angle (each corner moved up to 6 % of the card).
    Perspective,
    /// Turned, at an angle, blurred and noisy.
    Combined,
}

impl Variant {
    /// Every variant, in benchmark order.
    pub const ALL: [Self; 6] = [
        Self::Clean,
        Self::Noise,
        Self::Blur,
        Self::Rotated,
        Self::Perspective,
        Self::Combined,
    ];

    /// The variant's name in reports.
    pub fn as_str(self) -> &'static str {
        match self {
            Self::Clean => "clean",
            Self::Noise => "noise",
            Self::Blur => "blur",
            Self::Rotated => "rotated",
            Self::Perspective => "perspective",
            Self::Combined => "combined",
        }
    }
}

/// A made-up card from a seed (the same seed gives the same card).
pub fn card(seed: u64) -> SynthCard {
    let mut rng = StdRng::seed_from_u64(seed);
    let pick = |rng: &mut StdRng, list: &[&'static str]| list[rng.random_range(0..list.len())];
    let mut name = pick(&mut rng, SURNAMES).to_owned();
    for _ in 0..rng.random_range(1..=2) {
        name.push_str(pick(&mut rng, GIVEN));
    }
    let male = rng.random_bool(0.5);
    let (code, district) = DISTRICTS[rng.random_range(0..DISTRICTS.len())];
    let birth_date = NaiveDate::from_ymd_opt(1950, 1, 1)
        .and_then(|d| d.checked_add_days(chrono::Days::new(rng.random_range(0..20_000))))
        .unwrap_or_default();
    let mut address = format!(
        "重庆市{district}{}{}",
        pick(&mut rng, TOWNS),
        pick(&mut rng, ROADS)
    );
    address.push_str(&format!("{}号", rng.random_range(1..400)));
    if rng.random_bool(0.5) {
        address.push_str(&format!(
            "{}栋{}-{}",
            rng.random_range(1..30),
            rng.random_range(1..33),
            rng.random_range(1..9)
        ));
    }
    let seq = rng.random_range(0..500) * 2 + u32::from(male);
    let body = format!("{code}{}{seq:03}", birth_date.format("%Y%m%d"));
    let check = citizen_check_character(&body).unwrap_or('0');
    SynthCard {
        name,
        sex: if male { "男" } else { "女" },
        ethnicity: pick(&mut rng, ETHNICITIES),
        birth_date,
        address,
        number: format!("{body}{check}"),
    }
}

/// Card size in pixels (85.6 × 54 mm at 10 px/mm).
const CARD_W: u32 = 856;
const CARD_H: u32 = 540;
const LABEL: Rgb<u8> = Rgb([45, 95, 160]);
const INK: Rgb<u8> = Rgb([20, 20, 20]);
/// Characters per address line on the card.
const ADDRESS_LINE: usize = 11;

/// Draws `text` with its baseline at `y`, from `x`; returns the x after it.
fn draw_text(
    img: &mut RgbImage,
    font: &FontRef<'_>,
    px: f32,
    x: f32,
    y: f32,
    text: &str,
    color: Rgb<u8>,
) -> f32 {
    let scaled = font.as_scaled(PxScale::from(px));
    let mut caret = x;
    for ch in text.chars() {
        let glyph = scaled.scaled_glyph(ch).clone();
        let id = glyph.id;
        let positioned = ab_glyph::Glyph {
            position: ab_glyph::point(caret, y),
            ..glyph
        };
        if let Some(outline) = font.outline_glyph(positioned) {
            let b = outline.px_bounds();
            outline.draw(|gx, gy, cov| {
                let (px_, py_) = (b.min.x as i32 + gx as i32, b.min.y as i32 + gy as i32);
                if px_ >= 0 && py_ >= 0 && (px_ as u32) < img.width() && (py_ as u32) < img.height()
                {
                    let p = img.get_pixel_mut(px_ as u32, py_ as u32);
                    for k in 0..3 {
                        p.0[k] =
                            (f32::from(p.0[k]) * (1.0 - cov) + f32::from(color.0[k]) * cov) as u8;
                    }
                }
            });
        }
        caret += scaled.h_advance(id);
    }
    caret
}

/// The card's front, straight and sharp.
pub fn render(card: &SynthCard, font: &FontRef<'_>) -> RgbImage {
    let mut img = RgbImage::from_fn(CARD_W, CARD_H, |x, y| {
        // A pale background with a faint guilloche-like wave.
        let wave = ((x as f32 / 23.0).sin() * (y as f32 / 31.0).cos() * 6.0) as i32;
        let base = [236 + wave / 2, 238 + wave / 3, 232 - wave / 2];
        Rgb(base.map(|v| v.clamp(0, 255) as u8))
    });
    // The photo area: a grey box with a head-and-shoulders shape, no face.
    for y in 60..360 {
        for x in 600..800 {
            let (dx, dy) = (x as f32 - 700.0, y as f32 - 170.0);
            let head = dx * dx / 2500.0 + dy * dy / 4200.0 < 1.0;
            let body = y > 250 && dx.abs() < 95.0 - (y as f32 - 250.0) * -0.2;
            let v = if head || body { 150 } else { 215 };
            img.put_pixel(x, y, Rgb([v, v, v + 8]));
        }
    }
    let (lx, vx) = (60.0, 165.0);
    draw_text(&mut img, font, 26.0, lx, 95.0, "姓  名", LABEL);
    draw_text(&mut img, font, 34.0, vx, 97.0, &card.name, INK);
    draw_text(&mut img, font, 26.0, lx, 160.0, "性  别", LABEL);
    draw_text(&mut img, font, 30.0, vx, 160.0, card.sex, INK);
    draw_text(&mut img, font, 26.0, 290.0, 160.0, "民  族", LABEL);
    draw_text(&mut img, font, 30.0, 385.0, 160.0, card.ethnicity, INK);
    draw_text(&mut img, font, 26.0, lx, 225.0, "出  生", LABEL);
    let d = card.birth_date;
    let mut x = draw_text(&mut img, font, 30.0, vx, 225.0, &d.year().to_string(), INK);
    x = draw_text(&mut img, font, 26.0, x + 8.0, 225.0, "年", LABEL);
    x = draw_text(
        &mut img,
        font,
        30.0,
        x + 8.0,
        225.0,
        &d.month().to_string(),
        INK,
    );
    x = draw_text(&mut img, font, 26.0, x + 8.0, 225.0, "月", LABEL);
    x = draw_text(
        &mut img,
        font,
        30.0,
        x + 8.0,
        225.0,
        &d.day().to_string(),
        INK,
    );
    draw_text(&mut img, font, 26.0, x + 8.0, 225.0, "日", LABEL);
    draw_text(&mut img, font, 26.0, lx, 290.0, "住  址", LABEL);
    let chars: Vec<char> = card.address.chars().collect();
    for (i, line) in chars.chunks(ADDRESS_LINE).enumerate() {
        let s: String = line.iter().collect();
        draw_text(&mut img, font, 30.0, vx, 290.0 + 42.0 * i as f32, &s, INK);
    }
    draw_text(&mut img, font, 26.0, lx, 470.0, "公民身份号码", LABEL);
    draw_text(&mut img, font, 34.0, 300.0, 472.0, &card.number, INK);
    img
}

/// The card photographed as `variant` (deterministic for a seed).
pub fn photograph(card_img: &RgbImage, variant: Variant, seed: u64) -> RgbImage {
    let mut rng = StdRng::seed_from_u64(seed ^ 0x5eed);
    match variant {
        Variant::Clean => card_img.clone(),
        Variant::Noise => noisy(card_img, 14.0, &mut rng),
        Variant::Blur => image::imageops::blur(card_img, 1.4),
        Variant::Rotated => on_table(
            card_img,
            rng.random_range(3.0..8.0) * sign(&mut rng),
            0.0,
            &mut rng,
        ),
        Variant::Perspective => on_table(card_img, 0.0, 0.06, &mut rng),
        Variant::Combined => {
            let angle = rng.random_range(2.0..5.0) * sign(&mut rng);
            let t = on_table(card_img, angle, 0.04, &mut rng);
            noisy(&image::imageops::blur(&t, 1.0), 10.0, &mut rng)
        }
    }
}

fn sign(rng: &mut StdRng) -> f32 {
    if rng.random_bool(0.5) { 1.0 } else { -1.0 }
}

fn noisy(img: &RgbImage, sigma: f32, rng: &mut StdRng) -> RgbImage {
    let mut out = img.clone();
    for p in out.pixels_mut() {
        // Sum of uniforms ≈ Gaussian, cheap and without another dependency.
        let n: f32 = (0..4).map(|_| rng.random_range(-1.0f32..1.0)).sum::<f32>() * sigma * 0.866;
        for v in &mut p.0 {
            *v = (f32::from(*v) + n).clamp(0.0, 255.0) as u8;
        }
    }
    out
}

/// The card on a wooden-brown table in a 1100 × 800 frame, turned by
/// `angle_deg` about its centre and with each corner moved by up to
/// `skew` of the card's size.
fn on_table(card_img: &RgbImage, angle_deg: f32, skew: f32, rng: &mut StdRng) -> RgbImage {
    let (fw, fh) = (1100u32, 800u32);
    let (cw, ch) = (card_img.width() as f32, card_img.height() as f32);
    let (cx, cy) = (fw as f32 / 2.0, fh as f32 / 2.0);
    let (s, c) = angle_deg.to_radians().sin_cos();
    let corners = [(0.0, 0.0), (cw, 0.0), (cw, ch), (0.0, ch)];
    let mut dst = [(0.0f32, 0.0f32); 4];
    for (i, &(x, y)) in corners.iter().enumerate() {
        let (dx, dy) = (x - cw / 2.0, y - ch / 2.0);
        let jx = rng.random_range(-skew..=skew) * cw;
        let jy = rng.random_range(-skew..=skew) * ch;
        dst[i] = (cx + dx * c - dy * s + jx, cy + dx * s + dy * c + jy);
    }
    warp_onto(card_img, &corners, &dst, fw, fh)
}

/// Paints the card into a table-coloured frame, mapping its corners `src`
/// onto `dst` (inverse mapping with bilinear sampling).
fn warp_onto(card_img: &RgbImage, src: &[Pt; 4], dst: &[Pt; 4], fw: u32, fh: u32) -> RgbImage {
    let mut out = RgbImage::from_fn(fw, fh, |x, y| {
        let grain = (((x / 3) as f32 * 0.7 + (y as f32) * 0.05).sin() * 10.0) as i32;
        Rgb([
            (120 + grain) as u8,
            (84 + grain) as u8,
            (58 + grain / 2) as u8,
        ])
    });
    let Some(m) = crate::geom::homography(dst, src) else {
        return out;
    };
    let (cw, ch) = (f64::from(card_img.width()), f64::from(card_img.height()));
    for y in 0..fh {
        for x in 0..fw {
            let (fx, fy) = (f64::from(x), f64::from(y));
            let den = m[6] * fx + m[7] * fy + m[8];
            let sx = (m[0] * fx + m[1] * fy + m[2]) / den;
            let sy = (m[3] * fx + m[4] * fy + m[5]) / den;
            if sx >= 0.0 && sy >= 0.0 && sx < cw - 1.0 && sy < ch - 1.0 {
                out.put_pixel(x, y, Rgb(crate::geom::sample(card_img, sx, sy)));
            }
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use zhifa_core::rules::identity::{IdOptions, parse_citizen_id};

    #[test]
    fn generated_numbers_pass_gb11643_and_match_the_card() {
        for seed in 0..200 {
            let c = card(seed);
            let id = parse_citizen_id(&c.number, &IdOptions::default()).unwrap();
            assert_eq!(id.birth_date, c.birth_date);
            assert_eq!(id.sex.label_zh(), c.sex);
            assert!((2..=4).contains(&c.name.chars().count()));
        }
        assert_ne!(card(1), card(2));
        assert_eq!(card(7), card(7));
    }
}
