//! The legal rules engine: party identity checks, working-day arithmetic and
//! the assessment of a case against 行政处罚法 and the matter's discretion
//! table.
//!
//! Everything here is a pure function of its arguments. Nothing reads the
//! clock, the network or the disk: the caller looks up the matter and the
//! calendar in force on the violation date and passes today's date where a
//! rule needs one. Each legal rule carries a comment naming its law and
//! article. Facts that the legal research (docs/law/) marks as secondary-source (🟡) or unverified
//! (❓) are not hard-coded; they live in [`RulesConfig`] with documented
//! defaults. Money is integer fen (分) throughout.
//!
//! - [`identity`]: 居民身份证号码 (GB 11643) and 统一社会信用代码 (GB 32100).
//! - [`id_document`]: the document a person shows (证件类型) and its number's check.
//! - [`calendar`]: working days (行政处罚法 Art. 85) and calendar periods.
//! - [`assess`](mod@assess): the assessment an officer sees before deciding.

pub mod assess;
pub mod bands;
pub mod calendar;
pub mod config;
pub mod id_document;
pub mod identity;

pub use assess::{AssessInput, Assessment, assess};
pub use config::RulesConfig;
