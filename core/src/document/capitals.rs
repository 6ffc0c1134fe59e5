//! Amounts in Chinese capital numerals (大写金额), as printed beside the
//! figures on a penalty decision.
//!
//! The writing rules are those of the People's Bank of China for bills and
//! settlement vouchers (《支付结算办法》附件一《正确填写票据和结算凭证的基本规定》):
//! an amount that ends at 元 is followed by 整; an amount with 角 or 分
//! takes no 整; one 零 stands for a run of zeros inside the integer part
//! (including across the 万 and 亿 boundaries); a zero 角 between a non-zero
//! 元 and a non-zero 分 is written 零. Where those rules allow either form
//! (a zero 元 digit before a non-zero 角, e.g. 10.50) this module writes
//! the shorter one without 零: `壹拾元伍角`. A ten at the start is written
//! 壹拾 (`10 元` → `壹拾元整`), as financial practice requires.

const DIGITS: [char; 10] = ['零', '壹', '贰', '叁', '肆', '伍', '陆', '柒', '捌', '玖'];
/// Units inside a four-digit group, from the highest: 仟 佰 拾 (个).
const GROUP_UNITS: [&str; 4] = ["仟", "佰", "拾", ""];
const WAN: u64 = 10_000;
const YI: u64 = 100_000_000;

/// Writes an amount of fen in Chinese capital numerals.
///
/// `100_500` (1,005.00 元) → `壹仟零伍元整`; `50` → `伍角`;
/// `1_000_005` (10,000.05 元) → `壹万元零伍分`; `0` → `零元整`. A negative
/// amount (never a fine, but the function is total) is prefixed with 负.
pub fn amount_in_capitals(fen: i64) -> String {
    let abs = fen.unsigned_abs();
    let (yuan, jiao, fen_digit) = (abs / 100, (abs / 10 % 10) as usize, (abs % 10) as usize);
    let mut s = String::new();
    if fen < 0 {
        s.push('负');
    }
    if yuan > 0 {
        s.push_str(&integer_words(yuan));
        s.push('元');
    }
    match (jiao, fen_digit) {
        (0, 0) if yuan == 0 => s.push_str("零元整"),
        (0, 0) => s.push('整'),
        _ => {
            if jiao > 0 {
                s.push(DIGITS[jiao]);
                s.push('角');
            } else if yuan > 0 {
                // 元 then a zero 角 then 分: the zero must be written.
                s.push('零');
            }
            if fen_digit > 0 {
                s.push(DIGITS[fen_digit]);
                s.push('分');
            }
        }
    }
    s
}

/// The words for a positive integer, split at 亿 and then at 万.
fn integer_words(n: u64) -> String {
    if n >= YI {
        let (high, low) = (n / YI, n % YI);
        let mut s = integer_words(high);
        s.push('亿');
        if low > 0 {
            // The 仟万 digit of the lower part is zero: a 零 bridges the gap.
            if low < YI / 10 {
                s.push('零');
            }
            s.push_str(&integer_words(low));
        }
        s
    } else if n >= WAN {
        let (high, low) = (n / WAN, n % WAN);
        let mut s = group_words(high);
        s.push('万');
        if low > 0 {
            if low < WAN / 10 {
                s.push('零');
            }
            s.push_str(&group_words(low));
        }
        s
    } else {
        group_words(n)
    }
}

/// The words for 1..=9999: zeros between non-zero digits collapse to one 零,
/// trailing zeros are silent.
fn group_words(n: u64) -> String {
    let digits = [n / 1000 % 10, n / 100 % 10, n / 10 % 10, n % 10];
    let mut s = String::new();
    let mut pending_zero = false;
    for (d, unit) in digits.iter().zip(GROUP_UNITS) {
        if *d == 0 {
            pending_zero = !s.is_empty();
            continue;
        }
        if pending_zero {
            s.push('零');
            pending_zero = false;
        }
        s.push(DIGITS[*d as usize]);
        s.push_str(unit);
    }
    s
}

#[cfg(test)]
mod tests {
    use super::amount_in_capitals as cap;

    #[test]
    fn whole_yuan_end_with_zheng() {
        assert_eq!(cap(0), "零元整");
        assert_eq!(cap(100), "壹元整");
        assert_eq!(cap(1_000), "壹拾元整");
        assert_eq!(cap(5_000), "伍拾元整");
        assert_eq!(cap(20_000), "贰佰元整");
        assert_eq!(cap(300_000), "叁仟元整");
        assert_eq!(cap(1_100), "壹拾壹元整");
        assert_eq!(cap(11_000), "壹佰壹拾元整");
    }

    #[test]
    fn zeros_inside_the_integer_collapse_to_one() {
        assert_eq!(cap(100_500), "壹仟零伍元整");
        assert_eq!(cap(105_000), "壹仟零伍拾元整");
        assert_eq!(cap(100_100), "壹仟零壹元整");
        assert_eq!(cap(1_000_500), "壹万零伍元整");
        assert_eq!(cap(10_050_000), "壹拾万零伍佰元整");
        assert_eq!(cap(1_000_000), "壹万元整");
        assert_eq!(cap(10_000_000), "壹拾万元整");
        assert_eq!(cap(1_001_000_000), "壹仟零壹万元整");
        assert_eq!(cap(10_010_000_000), "壹亿零壹拾万元整");
        assert_eq!(cap(10_000_000_100), "壹亿零壹元整");
        assert_eq!(
            cap(12_345_678_900),
            "壹亿贰仟叁佰肆拾伍万陆仟柒佰捌拾玖元整"
        );
        assert_eq!(cap(10_000_100_000), "壹亿零壹仟元整");
        assert_eq!(cap(100_000_000_000_000), "壹万亿元整");
    }

    #[test]
    fn jiao_and_fen() {
        assert_eq!(cap(50), "伍角");
        assert_eq!(cap(5), "伍分");
        assert_eq!(cap(55), "伍角伍分");
        assert_eq!(cap(1_000_005), "壹万元零伍分");
        assert_eq!(cap(105), "壹元零伍分");
        assert_eq!(cap(150), "壹元伍角");
        assert_eq!(cap(1_050), "壹拾元伍角");
        assert_eq!(cap(168_032), "壹仟陆佰捌拾元叁角贰分");
        assert_eq!(cap(10_700_053), "壹拾万柒仟元伍角叁分");
        assert_eq!(cap(20_099), "贰佰元玖角玖分");
    }

    #[test]
    fn extremes_and_negatives() {
        assert_eq!(cap(-20_000), "负贰佰元整");
        assert_eq!(cap(-5), "负伍分");
        // i64::MAX fen = 92,233,720,368,547,758.07 元: 亿亿 nests.
        assert_eq!(
            cap(i64::MAX),
            "玖亿贰仟贰佰叁拾叁万柒仟贰佰零叁亿陆仟捌佰伍拾肆万柒仟柒佰伍拾捌元零柒分"
        );
        assert!(cap(i64::MIN).starts_with('负'));
    }
}
