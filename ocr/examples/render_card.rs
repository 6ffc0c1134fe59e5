//! Renders one synthetic 居民身份证 front with the given (made-up) fields,
//! as a JPEG: the e2e's ID-card photographs (ui/e2e/fixtures/) come from it.
//!
//! ```sh
//! cargo run -p zhifa-ocr --example render_card -- OUT.jpg 姓名 性别 民族 YYYY-MM-DD 住址 号码
//! ```

use ab_glyph::FontRef;
use zhifa_ocr::synth::{self, SynthCard};

fn main() -> Result<(), Box<dyn std::error::Error>> {
    let a: Vec<String> = std::env::args().collect();
    let [_, out, name, sex, ethnicity, birth, address, number] = a.as_slice() else {
        return Err(
            "usage: render_card OUT.jpg NAME SEX ETHNICITY YYYY-MM-DD ADDRESS NUMBER".into(),
        );
    };
    let sex: &'static str = if sex == "男" { "男" } else { "女" };
    let ethnicity: &'static str = Box::leak(ethnicity.clone().into_boxed_str());
    let card = SynthCard {
        name: name.clone(),
        sex,
        ethnicity,
        birth_date: chrono::NaiveDate::parse_from_str(birth, "%Y-%m-%d")?,
        address: address.clone(),
        number: number.clone(),
    };
    let font_bytes = std::fs::read(concat!(
        env!("CARGO_MANIFEST_DIR"),
        "/../assets/fonts/ZhifaNotoSansSC-Regular.otf"
    ))?;
    let font = FontRef::try_from_slice(&font_bytes)?;
    let img = synth::photograph(&synth::render(&card, &font), synth::Variant::Rotated, 1);
    let mut file = std::fs::File::create(out)?;
    image::codecs::jpeg::JpegEncoder::new_with_quality(&mut file, 85).encode_image(&img)?;
    Ok(())
}
