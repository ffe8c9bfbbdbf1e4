//! The per-row transform: map a raw row to the canonical contact, validate it, and normalize
//! its phone numbers to E.164. Pure and independent per row, so it runs in parallel.

use crate::contact::{Contact, Phone, PhoneLabel, split_full_name};
use crate::keys::{self, DedupeBy, Key};
use crate::mapping::{Field, Roles, label_from_type};
use crate::phone::{self, BareDigits, How, PhoneError, RegionFrom};
use crate::region::{self, Region};
use crate::reject::{Code, Rejection, Stage};
use crate::source::{Cell, RawRow, Schema, Values};

/// Options of the transform stage.
#[derive(Debug, Clone, Default)]
pub struct TransformOptions {
    /// The region of national-format numbers when the row names none.
    pub default_region: Option<Region>,
    /// Reject rows whose required phone is not a mobile number.
    pub mobile_only: bool,
    /// What the dedupe key of a clean row is made of.
    pub dedupe_by: DedupeBy,
    /// How digits that read two valid ways (national, international without `+`) are read.
    pub bare_digits: BareDigits,
    /// Whether a bad number that is not the row's required phone rejects the row (as by
    /// default) or is dropped from it and listed as a warning.
    pub bad_secondary: BadSecondary,
    /// Fill only what validation and the dedupe key need (phones, e-mails), not names,
    /// company, address, record ids, status or the primary flag: enough for commands that
    /// only rewrite files, and cheaper.
    pub keys_only: bool,
}

/// What a bad number that is not the row's required phone costs.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, clap::ValueEnum)]
pub enum BadSecondary {
    /// The row is rejected (nothing is dropped without the row).
    #[default]
    Reject,
    /// The value is dropped from the row, which is kept; the warnings file lists it.
    Drop,
}

impl BadSecondary {
    pub fn as_str(self) -> &'static str {
        match self {
            BadSecondary::Reject => "reject",
            BadSecondary::Drop => "drop",
        }
    }
}

/// The rules a row's numbers were read by, other than the plain one: counted in summaries.
#[derive(Debug, Clone, Copy, Default, PartialEq, Eq, serde::Serialize)]
pub struct Readings {
    /// Rows whose national numbers took the region of their own international numbers.
    pub region_from_row: u64,
    /// Values of bare digits read as international numbers that lost their `+`.
    pub bare_digits_international: u64,
    /// Values of bare digits valid both ways, read as national numbers (`--bare-digits national`).
    pub bare_digits_national: u64,
    /// Bad values that were not the required phone, dropped (`--bad-secondary drop`).
    pub dropped_values: u64,
}

impl Readings {
    pub fn add(&mut self, other: &Readings) {
        self.region_from_row += other.region_from_row;
        self.bare_digits_international += other.bare_digits_international;
        self.bare_digits_national += other.bare_digits_national;
        self.dropped_values += other.dropped_values;
    }

    pub fn is_empty(&self) -> bool {
        *self == Readings::default()
    }

    /// The non-zero counts by name, for a summary.
    pub fn named(&self) -> Vec<(&'static str, u64)> {
        [
            ("region_from_row", self.region_from_row),
            ("bare_digits_international", self.bare_digits_international),
            ("bare_digits_national", self.bare_digits_national),
            ("dropped_values", self.dropped_values),
        ]
        .into_iter()
        .filter(|(_, n)| *n > 0)
        .collect()
    }
}

/// A bad value dropped from a clean row (`--bad-secondary drop`): what the warnings file lists.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dropped {
    pub field: String,
    pub value: String,
    pub code: Code,
    pub message: String,
}

/// A row that passed: its contact, and the cells to rewrite in the output (phones in E.164,
/// extensions moved to the extension column).
#[derive(Debug, Clone, Default)]
pub struct Clean {
    /// `None` when the transform filled no contact (`keys_only`) or it is empty: a row is
    /// moved between stages, and most of `clean`'s rows need no contact (see [`Clean::contact`]).
    pub contact: Option<Box<Contact>>,
    pub rewrites: Vec<(usize, Cell)>,
    /// The dedupe key (see [`crate::keys::key`]); `None` when there is nothing to key on.
    pub key: Option<Key>,
    /// What was read other than the plain way, when anything was (rare: boxed, so that the
    /// row moved between stages stays small). The driver takes it out before dedupe.
    pub notes: Option<Box<Notes>>,
}

/// What a clean row's numbers owe to a rule other than the plain one.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Notes {
    /// The rules other than the plain one this row's numbers were read by.
    pub readings: Readings,
    /// Bad values dropped from the row (`--bad-secondary drop`).
    pub dropped: Vec<Dropped>,
}

impl Clean {
    /// A clean row with this contact.
    pub fn new(contact: Contact, rewrites: Vec<(usize, Cell)>, key: Option<Key>) -> Clean {
        Clean {
            contact: (contact != Contact::default()).then(|| Box::new(contact)),
            rewrites,
            key,
            ..Clean::default()
        }
    }

    /// The row's contact (empty when the transform filled none).
    pub fn contact(&self) -> &Contact {
        static EMPTY: std::sync::LazyLock<Contact> = std::sync::LazyLock::new(Contact::default);
        self.contact.as_deref().unwrap_or(&EMPTY)
    }

    pub fn contact_mut(&mut self) -> &mut Contact {
        self.contact.get_or_insert_default()
    }

    /// The rules other than the plain one this row's numbers were read by.
    pub fn readings(&self) -> Readings {
        self.notes.as_ref().map(|n| n.readings).unwrap_or_default()
    }

    /// The bad values dropped from the row.
    pub fn dropped(&self) -> &[Dropped] {
        self.notes.as_ref().map_or(&[], |n| n.dropped.as_slice())
    }

    pub fn into_contact(self) -> Contact {
        self.contact.map(|c| *c).unwrap_or_default()
    }
}

/// What became of a row.
#[derive(Debug, Clone)]
pub enum Verdict {
    Clean(Clean),
    /// The reasons, most important first.
    Rejected(Vec<Rejection>),
    /// Every field was empty: skipped, and counted.
    Blank,
}

/// A row together with what became of it.
#[derive(Debug, Clone)]
pub struct Processed {
    pub raw: RawRow,
    pub outcome: Verdict,
}

/// Maps, validates and normalizes one row.
pub fn process(raw: RawRow, schema: &Schema, roles: &Roles, opts: &TransformOptions) -> Processed {
    if let Some(problem) = raw.problem.clone() {
        return Processed {
            raw,
            outcome: Verdict::Rejected(vec![*problem]),
        };
    }
    let outcome = match build(&raw.values, schema, roles, opts) {
        Ok(clean) => Verdict::Clean(clean),
        Err(rejections) if rejections.is_empty() => Verdict::Blank,
        Err(rejections) => Verdict::Rejected(rejections),
    };
    Processed { raw, outcome }
}

fn build(
    values: &Values,
    schema: &Schema,
    roles: &Roles,
    opts: &TransformOptions,
) -> Result<Clean, Vec<Rejection>> {
    let mut row = RowBuild::new(values, schema, roles, opts);
    for (i, field) in roles.fields.iter().enumerate() {
        if let Some(field) = field {
            row.read(i, field);
        }
    }
    row.finish()
}

/// Fills `slot` with cell `i`'s trimmed text, when it is empty and the transform fills
/// contacts (the first column of a field wins).
#[inline]
fn fill(values: &Values, i: usize, keys_only: bool, slot: &mut String) {
    if slot.is_empty() && !keys_only {
        let t = values.text(i);
        let t = t.trim();
        if !t.is_empty() {
            *slot = t.to_string();
        }
    }
}

/// One row on its way to a clean contact or its rejections: what its cells gave so far.
struct RowBuild<'a> {
    values: &'a Values,
    schema: &'a Schema,
    roles: &'a Roles,
    opts: &'a TransformOptions,
    row_region: RowRegion,
    /// The region its numbers are read in, and where it comes from.
    region: Option<(Region, RegionFrom)>,
    contact: Contact,
    rejections: Vec<Rejection>,
    rewrites: Vec<(usize, Cell)>,
    full_name: String,
    readings: Readings,
    first_phone_column: Option<usize>,
    /// Numbers of someone else's line (a secondary phone column).
    secondary: Vec<String>,
    extension_taken: Option<String>,
    /// The required phone (the first mobile, else the first phone that is not someone
    /// else's line): what the dedupe key and --mobile-only look at.
    primary: Option<Primary>,
    /// The first e-mail: the dedupe key's other half.
    first_email: Option<&'a str>,
    /// Phone values in the order read.
    seq: u32,
    /// The bad values that `--bad-secondary drop` may drop.
    bad: Vec<BadValue>,
}

impl<'a> RowBuild<'a> {
    /// A row to read, with the region its numbers are read in: its country cell's, else the
    /// default region, else (with neither) the one its own international numbers share.
    fn new(
        values: &'a Values,
        schema: &'a Schema,
        roles: &'a Roles,
        opts: &'a TransformOptions,
    ) -> RowBuild<'a> {
        let mut readings = Readings::default();
        let row_region = RowRegion::of(values, roles, opts.default_region);
        let region = match &row_region {
            RowRegion::Cell(r) => Some((*r, RegionFrom::Cell)),
            RowRegion::Default(r) => Some((*r, RegionFrom::Guess)),
            RowRegion::Unknown(_) => None,
            RowRegion::None => {
                let own = region_of_own_numbers(values, roles);
                readings.region_from_row = u64::from(own.is_some());
                own.map(|r| (r, RegionFrom::Guess))
            }
        };
        let mut contact = Contact::default();
        if let Some((r, _)) = region
            && !opts.keys_only
        {
            contact.country = r.as_region_str().as_str().to_string();
        }
        RowBuild {
            values,
            schema,
            roles,
            opts,
            row_region,
            region,
            contact,
            rejections: Vec::new(),
            rewrites: Vec::new(),
            full_name: String::new(),
            readings,
            first_phone_column: None,
            secondary: Vec::new(),
            extension_taken: None,
            primary: None,
            first_email: None,
            seq: 0,
            bad: Vec::new(),
        }
    }

    /// Reads cell `i`, which holds `field`.
    #[inline]
    fn read(&mut self, i: usize, field: &Field) {
        let (values, keys_only) = (self.values, self.opts.keys_only);
        let c = &mut self.contact;
        match field {
            Field::FirstName => fill(values, i, keys_only, &mut c.first_name),
            Field::LastName => fill(values, i, keys_only, &mut c.last_name),
            Field::FullName => fill(values, i, keys_only, &mut self.full_name),
            Field::Company => fill(values, i, keys_only, &mut c.company),
            Field::JobTitle => fill(values, i, keys_only, &mut c.job_title),
            Field::Street => fill(values, i, keys_only, &mut c.street),
            Field::City => fill(values, i, keys_only, &mut c.city),
            Field::State => fill(values, i, keys_only, &mut c.state),
            Field::PostalCode => fill(values, i, keys_only, &mut c.postal_code),
            Field::Notes => fill(values, i, keys_only, &mut c.notes),
            Field::RecordId => fill(values, i, keys_only, &mut c.record_id),
            Field::ParentId => fill(values, i, keys_only, &mut c.parent_id),
            Field::Status => fill(values, i, keys_only, &mut c.status),
            Field::Primary => {
                if !keys_only && !c.is_primary {
                    c.is_primary = is_truthy(&values.text(i));
                }
            }
            Field::Email => self.read_emails(i),
            Field::Phone(_) | Field::PhoneValue(_) | Field::SecondaryPhone => {
                self.read_phones(i, field)
            }
            Field::PhoneType(_) | Field::Country | Field::Extension | Field::Ignore => {}
        }
    }

    /// The e-mail addresses of cell `i`: the valid ones kept, the others rejected.
    fn read_emails(&mut self, i: usize) {
        let (values, schema) = (self.values, self.schema);
        values.for_each_item(i, |item| {
            if is_valid_email(item) {
                self.first_email.get_or_insert(item);
                if !self.opts.keys_only {
                    self.contact.emails.push(item.to_string());
                }
            } else {
                self.rejections.push(Rejection::new(
                    Stage::Validate,
                    schema.column_name(i),
                    Code::EmailInvalid,
                    format!("'{item}' is not an e-mail address"),
                ));
            }
        });
    }

    /// The phone numbers of cell `i` (a `field` column): each read in the row's region into
    /// E.164, or rejected with the reason; the cell is rewritten with what was read.
    fn read_phones(&mut self, i: usize, field: &Field) {
        let Some(label) = phone_label(field, self.values, self.roles) else {
            return; // a fax or pager number: not ours to check
        };
        let (values, schema, opts) = (self.values, self.schema, self.opts);
        let is_secondary = *field == Field::SecondaryPhone;
        let rank = (label != PhoneLabel::Mobile, is_secondary);
        let mut cell = CellBuilder::for_column(values, i);
        let mut any = false;
        values.for_each_item(i, |item| {
            any = true;
            self.seq += 1;
            match phone::read_value(item, self.region, opts.bare_digits) {
                Ok((n, how)) => {
                    match how {
                        How::Plain => {}
                        How::BareInternational => self.readings.bare_digits_international += 1,
                        How::BareNational => self.readings.bare_digits_national += 1,
                    }
                    if let Some(ext) = &n.extension {
                        match place_extension(values, self.roles, ext, &mut self.extension_taken) {
                            Ok(Some(rw)) => self.rewrites.push(rw),
                            Ok(None) => {}
                            Err(message) => self.rejections.push(Rejection::new(
                                Stage::Normalize,
                                schema.column_name(i),
                                Code::PhoneExtension,
                                format!("'{item}': {message}"),
                            )),
                        }
                    }
                    let is_mobile = opts.mobile_only.then(|| n.is_mobile());
                    if self.primary.as_ref().is_none_or(|p| rank < p.rank) {
                        self.primary = Some(Primary {
                            rank,
                            seq: self.seq,
                            number: phone::e164_key(&n.e164),
                            is_mobile,
                        });
                    }
                    if !opts.keys_only {
                        if is_secondary {
                            self.secondary.push(n.e164.clone());
                        }
                        self.contact.phones.push(Phone {
                            e164: n.e164.clone(),
                            label,
                            extension: n.extension,
                            is_mobile,
                        });
                    }
                    cell.push(n.e164);
                }
                Err(e) => {
                    let (code, message) = phone_rejection(e, &self.row_region);
                    if opts.bad_secondary == BadSecondary::Drop {
                        self.bad.push(BadValue {
                            rank,
                            seq: self.seq,
                            value: item.trim().to_string(),
                        });
                    }
                    self.rejections.push(Rejection::new(
                        Stage::Normalize,
                        schema.column_name(i),
                        code,
                        message,
                    ));
                }
            }
        });
        if any {
            self.first_phone_column.get_or_insert(i);
            self.rewrites.push((i, cell.finish()));
        }
    }

    /// The clean row, or its rejections (none for a blank row: see `process`).
    fn finish(mut self) -> Result<Clean, Vec<Rejection>> {
        let (values, schema, roles, opts) = (self.values, self.schema, self.roles, self.opts);
        let contact = &mut self.contact;
        if contact.first_name.is_empty()
            && contact.last_name.is_empty()
            && !self.full_name.is_empty()
        {
            let (first, last) = split_full_name(&self.full_name);
            contact.first_name = first;
            contact.last_name = last;
        }
        if self.first_phone_column.is_none() {
            if values.all_empty() {
                return Err(Vec::new()); // a blank row: see `process`
            }
            self.rejections.push(Rejection::new(
                Stage::Validate,
                roles
                    .fields
                    .iter()
                    .position(|f| f.as_ref().is_some_and(Field::is_phone))
                    .map(|i| schema.column_name(i))
                    .unwrap_or(""),
                Code::PhoneMissing,
                "the row has no phone number",
            ));
        }
        let dropped = drop_bad_secondaries(&mut self.rejections, self.bad, self.primary.as_ref());
        self.readings.dropped_values = dropped.len() as u64;
        // The required phone is the first mobile, else the first phone: sort mobiles first and
        // someone else's lines last, keeping column order otherwise.
        let secondary = &self.secondary;
        contact
            .phones
            .sort_by_key(|p| (p.label != PhoneLabel::Mobile, secondary.contains(&p.e164)));
        if opts.mobile_only
            && self.rejections.is_empty()
            && let Some(p) = &self.primary
            && p.is_mobile == Some(false)
        {
            self.rejections.push(Rejection::new(
                Stage::Validate,
                "",
                Code::PhoneNotMobile,
                format!("+{} is not a mobile number", p.number.unwrap_or_default()),
            ));
        }
        if !self.rejections.is_empty() {
            return Err(self.rejections);
        }
        let key = keys::key_of_number(
            self.primary.as_ref().and_then(|p| p.number),
            self.first_email,
            opts.dedupe_by,
        );
        let readings = self.readings;
        Ok(Clean {
            // `clean` fills no contact: none to carry (or to compare with an empty one).
            contact: (!opts.keys_only).then(|| Box::new(self.contact)),
            rewrites: self.rewrites,
            key,
            notes: (!readings.is_empty() || !dropped.is_empty())
                .then(|| Box::new(Notes { readings, dropped })),
        })
    }
}

/// Puts an extension in the extension column when there is one and it is free (or already
/// holds it); otherwise says why it cannot be kept.
fn place_extension(
    values: &Values,
    roles: &Roles,
    ext: &str,
    taken: &mut Option<String>,
) -> Result<Option<(usize, Cell)>, String> {
    let Some(col) = roles.extension_column else {
        return Err(format!(
            "extension {ext} has no place in E.164 and the file has no extension column to keep it in \
             (add an 'extension' column)"
        ));
    };
    if let Some(prev) = taken {
        return if prev == ext {
            Ok(None)
        } else {
            Err(format!(
                "a second extension {ext} does not fit the one extension column"
            ))
        };
    }
    let existing = values.text(col);
    let existing = existing.trim();
    if !existing.is_empty() && existing != ext {
        return Err(format!(
            "extension {ext} differs from the extension column's '{existing}'"
        ));
    }
    *taken = Some(ext.to_string());
    Ok(existing
        .is_empty()
        .then(|| (col, Cell::Text(ext.to_string()))))
}

/// Where a row's national numbers are read: what its country cells say, else the default.
enum RowRegion {
    /// A country cell names this region.
    Cell(Region),
    /// The row has no country cell, and this is the default region.
    Default(Region),
    /// A country cell is filled, and none names a region: its text.
    Unknown(String),
    /// No country cell is filled and there is no default region.
    None,
}

impl RowRegion {
    /// The first country cell that names a region wins; a filled cell that names none is
    /// never replaced by the default region.
    fn of(values: &Values, roles: &Roles, default: Option<Region>) -> RowRegion {
        let mut unknown: Option<String> = None;
        for &i in &roles.region_columns {
            let text = values.text(i);
            let text = text.trim();
            if text.is_empty() {
                continue;
            }
            if let Some(r) = region::parse(text) {
                return RowRegion::Cell(r);
            }
            unknown.get_or_insert_with(|| text.to_string());
        }
        match (unknown, default) {
            (Some(cell), _) => RowRegion::Unknown(cell),
            (None, Some(r)) => RowRegion::Default(r),
            (None, None) => RowRegion::None,
        }
    }
}

/// The label of a phone field's values in this row; `None` for a Google "Phone N - Value"
/// whose type is a fax or a pager, and for fields that are not phones.
fn phone_label(field: &Field, values: &Values, roles: &Roles) -> Option<PhoneLabel> {
    match field {
        Field::Phone(l) => Some(*l),
        Field::PhoneValue(group) => {
            let t = roles
                .phone_types
                .get(group)
                .map(|&c| values.text(c))
                .unwrap_or_default();
            label_from_type(&t)
        }
        Field::SecondaryPhone => Some(PhoneLabel::Other),
        _ => None,
    }
}

/// The region a row's own international numbers give its national ones: when it has national
/// numbers (not starting with `+`) and all its valid international numbers share one calling
/// code, that code's main region (`+1`: US, `+44`: GB).
fn region_of_own_numbers(values: &Values, roles: &Roles) -> Option<Region> {
    // Each of the row's phone values, trimmed, to `f`.
    let each = |f: &mut dyn FnMut(&str)| {
        for (i, field) in roles.fields.iter().enumerate() {
            if field
                .as_ref()
                .is_some_and(|field| phone_label(field, values, roles).is_some())
            {
                values.for_each_item(i, |item| f(item.trim()));
            }
        }
    };
    // Most rows without a region hold international numbers only: nothing to give.
    let mut national = false;
    each(&mut |item| national |= !item.starts_with('+'));
    if !national {
        return None;
    }
    let (mut code, mut agree) = (None, true);
    each(&mut |item| {
        if item.starts_with('+')
            && let Ok(n) = phone::normalize(item, None)
        {
            let cc = n.calling_code();
            agree &= *code.get_or_insert(cc) == cc;
        }
    });
    if !agree {
        return None;
    }
    rlibphonenumber::PHONE_NUMBER_UTIL.get_region_for_country_code(code?)
}

/// The code and message of a value `phone` refused, in a row whose region is `row_region`.
fn phone_rejection(e: PhoneError, row_region: &RowRegion) -> (Code, String) {
    match (e, row_region) {
        (PhoneError::NoRegion(text) | PhoneError::NoRegionBare(text), RowRegion::Unknown(cell)) => {
            (
                Code::CountryUnknown,
                format!(
                    "'{text}' is in national format and the country '{cell}' names no region this tool knows \
                 (write the country as an ISO code such as FR, or the number with its +)"
                ),
            )
        }
        (e @ (PhoneError::NoRegion(_) | PhoneError::NoRegionBare(_)), _) => {
            (Code::PhoneNoRegion, e.to_string())
        }
        (e @ PhoneError::Invalid { .. }, _) => (Code::PhoneInvalid, e.to_string()),
        (e @ PhoneError::Ambiguous { .. }, _) => (Code::PhoneAmbiguous, e.to_string()),
    }
}

/// A phone value that was refused, which `--bad-secondary drop` may drop.
struct BadValue {
    rank: (bool, bool),
    seq: u32,
    value: String,
}

/// With `--bad-secondary drop`, the bad values that are not the row's required phone leave
/// the rejections for the dropped list, when nothing else rejects the row (a row that is
/// rejected anyway keeps every reason). The required phone is the best-ranked value, good or
/// bad, the first seen among equals: a bad one is never dropped.
fn drop_bad_secondaries(
    rejections: &mut Vec<Rejection>,
    bad: Vec<BadValue>,
    primary: Option<&Primary>,
) -> Vec<Dropped> {
    let Some(primary) = primary else {
        return Vec::new();
    };
    let droppable = |b: &BadValue| (b.rank, b.seq) > (primary.rank, primary.seq);
    if bad.is_empty() || bad.len() != rejections.len() || !bad.iter().all(droppable) {
        return Vec::new();
    }
    // Every rejection is one of the bad values, in the same order.
    bad.into_iter()
        .zip(rejections.drain(..))
        .map(|(b, r)| Dropped {
            field: r.field,
            value: b.value,
            code: r.code,
            message: r.message,
        })
        .collect()
}

/// The candidate for a row's required phone.
struct Primary {
    /// (not a mobile, someone else's line): lower is better; ties go to the first seen.
    rank: (bool, bool),
    /// Its place among the row's phone values, in the order read.
    seq: u32,
    /// The E.164 number's digits (see [`phone::e164_key`]): a valid number has at most 15.
    number: Option<u64>,
    is_mobile: Option<bool>,
}

/// Builds a phone cell with its numbers in E.164, in the shape it was read in: one text
/// (several numbers joined with " ::: ") or, for a JSON list, a list.
enum CellBuilder {
    Text(String),
    List(Vec<String>),
}

impl CellBuilder {
    fn for_column(values: &Values, i: usize) -> Self {
        match values {
            Values::Json { cells, .. } if matches!(cells.get(i), Some(Some(Cell::List(_)))) => {
                CellBuilder::List(Vec::new())
            }
            _ => CellBuilder::Text(String::new()),
        }
    }

    fn push(&mut self, e164: String) {
        match self {
            // Most cells hold one number: it becomes the cell.
            CellBuilder::Text(s) if s.is_empty() => *s = e164,
            CellBuilder::Text(s) => {
                s.push_str(crate::source::LIST_SEPARATOR);
                s.push_str(&e164);
            }
            CellBuilder::List(v) => v.push(e164),
        }
    }

    fn finish(self) -> Cell {
        match self {
            CellBuilder::Text(s) => Cell::Text(s),
            CellBuilder::List(v) => Cell::List(v),
        }
    }
}

/// A yes/no cell read as yes: `true`, `yes`, `y`, `1`, `x` or `primary` (any case, trimmed).
/// Anything else, empty included, is no.
pub fn is_truthy(s: &str) -> bool {
    const YES: [&str; 6] = ["true", "yes", "y", "1", "x", "primary"];
    let s = s.trim();
    YES.iter().any(|y| s.eq_ignore_ascii_case(y))
}

/// A practical e-mail check: one `@`, a non-empty local part without spaces, a domain of two
/// or more dot-separated labels of letters, digits and inner hyphens.
pub fn is_valid_email(s: &str) -> bool {
    let s = crate::source::trim(s);
    let b = s.as_bytes();
    if b.len() > 254 {
        return false;
    }
    let Some(at) = memchr::memrchr(b'@', b) else {
        return false;
    };
    let (local, domain) = (&b[..at], &b[at + 1..]);
    if local.is_empty() || local.len() > 64 {
        return false;
    }
    if local.iter().any(|&c| c <= b' ' || c == 0x7f || c == b'@') && local[0] != b'"' {
        return false;
    }
    let (mut labels, mut len, mut prev) = (1, 0, b'.');
    for &c in domain {
        match c {
            b'.' if len == 0 || prev == b'-' => return false,
            b'.' => {
                labels += 1;
                len = 0;
            }
            b'-' if len == 0 => return false,
            c if c == b'-' || c.is_ascii_alphanumeric() || c >= 0x80 => len += 1,
            _ => return false,
        }
        prev = c;
    }
    if len == 0 || prev == b'-' || labels < 2 {
        return false;
    }
    // Non-ASCII text (international names): no Unicode spaces, and letters in the domain.
    s.is_ascii()
        || (!s.chars().any(char::is_whitespace)
            && std::str::from_utf8(domain)
                .map(|d| {
                    d.chars()
                        .all(|c| c.is_alphanumeric() || c == '-' || c == '.')
                })
                .unwrap_or(false))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::mapping::MappingSpec;
    use crate::source::Schema;

    fn run(headers: &[&str], row: &[&str], opts: &TransformOptions) -> Processed {
        let schema = Schema::from_header(headers.iter().copied());
        let roles = Roles::resolve(&schema, &MappingSpec::default());
        let raw = RawRow {
            row: 1,
            values: Values::Csv(row.iter().copied().collect()),
            problem: None,
        };
        process(raw, &schema, &roles, opts)
    }

    /// The clean row `p` became (a panic if it was rejected).
    fn clean(p: &Processed) -> &Clean {
        let Verdict::Clean(c) = &p.outcome else {
            panic!("{:?}", p.outcome)
        };
        c
    }

    fn gb() -> TransformOptions {
        TransformOptions {
            default_region: region::from_code("GB"),
            ..TransformOptions::default()
        }
    }

    fn codes(p: &Processed) -> Vec<Code> {
        match &p.outcome {
            Verdict::Rejected(r) => r.iter().map(|r| r.code).collect(),
            _ => vec![],
        }
    }

    #[test]
    fn normalizes_and_rewrites_phones() {
        let p = run(
            &["Name", "Mobile", "Phone", "Email"],
            &[
                "Jane Doe",
                "07911 123456",
                "+1 650 253 0000",
                "jane@example.com",
            ],
            &gb(),
        );
        let c = clean(&p);
        assert_eq!(c.contact().first_name, "Jane");
        assert_eq!(c.contact().last_name, "Doe");
        assert_eq!(c.contact().primary_phone().unwrap().e164, "+447911123456");
        assert_eq!(
            c.rewrites,
            vec![
                (1, Cell::Text("+447911123456".into())),
                (2, Cell::Text("+16502530000".into()))
            ]
        );
    }

    #[test]
    fn the_row_region_beats_the_default() {
        let p = run(&["phone", "country"], &["030 1234567", "Germany"], &gb());
        let c = clean(&p);
        assert_eq!(c.contact().phones[0].e164, "+49301234567");
        assert_eq!(c.contact().country, "DE");
    }

    #[test]
    fn the_first_country_column_that_names_a_region_wins() {
        let p = run(
            &[
                "Business Country/Region",
                "Home Country/Region",
                "Mobile Phone",
            ],
            &["", "Germany", "0171 1234567"],
            &gb(),
        );
        let c = clean(&p);
        assert_eq!(c.contact().phones[0].e164, "+491711234567");
    }

    #[test]
    fn someone_elses_line_is_not_the_required_phone() {
        let p = run(
            &["Assistant's Phone", "Business Phone"],
            &["020 7183 8750", "020 7946 0018"],
            &gb(),
        );
        let c = clean(&p);
        assert_eq!(c.contact().primary_phone().unwrap().e164, "+442079460018");
        assert_eq!(c.rewrites.len(), 2);
    }

    #[test]
    fn rejects_with_codes() {
        let none = TransformOptions::default();
        assert_eq!(
            codes(&run(&["phone"], &["020 7183 8750"], &none)),
            vec![Code::PhoneNoRegion]
        );
        assert_eq!(
            codes(&run(&["phone"], &["12345"], &gb())),
            vec![Code::PhoneInvalid]
        );
        assert_eq!(
            codes(&run(&["name", "phone"], &["Ann", ""], &gb())),
            vec![Code::PhoneMissing]
        );
        // A bad second phone rejects the row too: nothing is silently dropped.
        assert_eq!(
            codes(&run(&["mobile", "phone"], &["07911 123456", "999"], &gb())),
            vec![Code::PhoneInvalid]
        );
        assert_eq!(
            codes(&run(
                &["phone", "email"],
                &["07911 123456", "not-an-email"],
                &gb()
            )),
            vec![Code::EmailInvalid]
        );
        let mobile_only = TransformOptions {
            mobile_only: true,
            ..gb()
        };
        assert_eq!(
            codes(&run(&["phone"], &["020 7183 8750"], &mobile_only)),
            vec![Code::PhoneNotMobile]
        );
        assert!(codes(&run(&["phone"], &["07911 123456"], &mobile_only)).is_empty());
    }

    /// The row's first phone as E.164, or its rejection codes.
    fn first_phone(p: &Processed) -> Result<String, Vec<Code>> {
        match &p.outcome {
            Verdict::Clean(c) => Ok(c.contact().phones[0].e164.clone()),
            _ => Err(codes(p)),
        }
    }

    #[test]
    fn a_country_cell_that_names_no_region_is_never_the_default() {
        use Code::*;
        let opts = |default: &str, bare| TransformOptions {
            default_region: region::from_code(default),
            bare_digits: bare,
            ..TransformOptions::default()
        };
        let gb = opts("GB", BareDigits::Reject);
        let none = opts("", BareDigits::Reject);
        let intl = opts("GB", BareDigits::International);
        // (number cell, country cell, options, E.164 or the rejection codes)
        type Case<'a> = (
            &'a str,
            &'a str,
            &'a TransformOptions,
            Result<&'a str, Vec<Code>>,
        );
        let cases: &[Case] = &[
            // A known country: its region, whatever the default.
            ("06 12 34 56 78", "FR", &gb, Ok("+33612345678")),
            ("030 1234567", "Germany", &gb, Ok("+49301234567")),
            // An unknown one: national numbers have no region; never the default's.
            ("06 12 34 56 78", "Atlantis", &gb, Err(vec![CountryUnknown])),
            (
                "06 12 34 56 78",
                "Atlantis",
                &none,
                Err(vec![CountryUnknown]),
            ),
            ("4915123456789", "Atlantis", &gb, Err(vec![CountryUnknown])),
            // International numbers are read as written, whatever the cell says.
            ("+33 6 12 34 56 78", "Atlantis", &gb, Ok("+33612345678")),
            ("+33 6 12 34 56 78", "DE", &gb, Ok("+33612345678")),
            ("4915123456789", "Atlantis", &intl, Ok("+4915123456789")),
            // No country cell: the default region, else no region.
            ("07911 123456", "", &gb, Ok("+447911123456")),
            ("07911 123456", "", &none, Err(vec![PhoneNoRegion])),
            // Bare digits: two valid readings are a question, one is an answer.
            ("4915123456789", "DE", &gb, Err(vec![PhoneAmbiguous])),
            ("62812345678", "ID", &gb, Err(vec![PhoneAmbiguous])),
            ("4915123456789", "DE", &intl, Ok("+4915123456789")),
            ("62812345678", "ID", &intl, Ok("+62812345678")),
            ("14155552671", "US", &gb, Ok("+14155552671")),
            ("447911123456", "GB", &gb, Ok("+447911123456")),
            ("447911123456", "", &gb, Ok("+447911123456")),
            // Without any region, bare digits are read internationally only when told.
            ("447911123456", "", &none, Err(vec![PhoneNoRegion])),
        ];
        for (phone, country, opts, want) in cases {
            let p = run(&["phone", "country"], &[phone, country], opts);
            let want = want.clone().map(str::to_string);
            assert_eq!(first_phone(&p), want, "{phone} / {country:?}");
        }
        let p = run(&["phone", "country"], &["06 12 34 56 78", "Atlantis"], &gb);
        let Verdict::Rejected(r) = &p.outcome else {
            panic!("{:?}", p.outcome)
        };
        assert!(r[0].message.contains("'Atlantis'"), "{}", r[0].message);
    }

    #[test]
    fn bare_digits_read_another_way_are_counted() {
        let intl = TransformOptions {
            bare_digits: BareDigits::International,
            ..gb()
        };
        let p = run(
            &["mobile", "phone", "country"],
            &["4915123456789", "62812345678", "ID"],
            &intl,
        );
        assert_eq!(clean(&p).readings().bare_digits_international, 2);
        // Only the international reading is valid: taken, and counted, whatever the option.
        let p = run(&["phone", "country"], &["33612345678", "GB"], &gb());
        assert_eq!(first_phone(&p).as_deref(), Ok("+33612345678"));
        assert_eq!(clean(&p).readings().bare_digits_international, 1);
        let national = TransformOptions {
            bare_digits: BareDigits::National,
            ..gb()
        };
        let p = run(&["phone", "country"], &["4915123456789", "DE"], &national);
        assert_eq!(first_phone(&p).as_deref(), Ok("+494915123456789"));
        assert_eq!(clean(&p).readings().bare_digits_national, 1);
        let p = run(&["phone", "country"], &["015123456789", "DE"], &national);
        assert!(clean(&p).readings().is_empty());
    }

    #[test]
    fn a_rows_own_international_numbers_give_its_national_ones_a_region() {
        let headers = [
            "Phone 1 - Type",
            "Phone 1 - Value",
            "Phone 2 - Type",
            "Phone 2 - Value",
        ];
        let none = TransformOptions::default();
        // Google's export of a contact with no country: mobile +1, work national.
        let p = run(
            &headers,
            &["Mobile", "+1 415-555-2671", "Work", "(650) 253-0000"],
            &none,
        );
        let c = clean(&p);
        let phones: Vec<&str> = c.contact().phones.iter().map(|p| p.e164.as_str()).collect();
        assert_eq!(phones, ["+14155552671", "+16502530000"]);
        assert_eq!(c.readings().region_from_row, 1);
        assert_eq!(c.contact().country, "US");
        // International numbers that disagree give no region.
        let p = run(
            &["mobile", "work phone", "home phone"],
            &["+1 415-555-2671", "+44 20 7183 8750", "(650) 253-0000"],
            &none,
        );
        assert_eq!(codes(&p), vec![Code::PhoneNoRegion]);
        // All international: nothing to give, nothing counted.
        let p = run(
            &["mobile", "work phone"],
            &["+1 415-555-2671", "+1 650 253 0000"],
            &none,
        );
        assert!(clean(&p).readings().is_empty());
        // A country cell that names no region is not replaced by the row's numbers.
        let p = run(
            &["mobile", "work phone", "country"],
            &["+1 415-555-2671", "(650) 253-0000", "Atlantis"],
            &none,
        );
        assert_eq!(codes(&p), vec![Code::CountryUnknown]);
    }

    #[test]
    fn a_bad_secondary_value_costs_the_row_or_only_itself() {
        let headers = ["mobile", "work phone", "home phone", "email"];
        let row = [
            "07911 123456",
            "999",
            "020 7183 8750 ::: nonsense",
            "a@b.co",
        ];
        // By default the row is rejected, every reason listed.
        assert_eq!(
            codes(&run(&headers, &row, &gb())),
            vec![Code::PhoneInvalid, Code::PhoneInvalid]
        );
        let drop = TransformOptions {
            bad_secondary: BadSecondary::Drop,
            ..gb()
        };
        let p = run(&headers, &row, &drop);
        let c = clean(&p);
        let dropped: Vec<(&str, &str, Code)> = c
            .dropped()
            .iter()
            .map(|d| (d.field.as_str(), d.value.as_str(), d.code))
            .collect();
        assert_eq!(
            dropped,
            [
                ("work phone", "999", Code::PhoneInvalid),
                ("home phone", "nonsense", Code::PhoneInvalid)
            ]
        );
        assert_eq!(c.readings().dropped_values, 2);
        // The cells are rewritten without the dropped values.
        assert!(c.rewrites.contains(&(1, Cell::Text(String::new()))));
        assert!(
            c.rewrites
                .contains(&(2, Cell::Text("+442071838750".into())))
        );
        assert_eq!(c.contact().phones.len(), 2);
        // The required phone (the mobile) is never dropped: the row is rejected, and the
        // secondary's reason is listed too.
        let p = run(&headers, &["0791", "999", "020 7183 8750", "a@b.co"], &drop);
        assert_eq!(codes(&p), vec![Code::PhoneInvalid, Code::PhoneInvalid]);
        // Nor is the first phone when there is no mobile.
        let p = run(&["phone", "work phone"], &["999", "020 7183 8750"], &drop);
        assert_eq!(codes(&p), vec![Code::PhoneInvalid]);
        // A row rejected for another reason keeps every reason.
        let p = run(
            &headers,
            &["07911 123456", "999", "", "not-an-email"],
            &drop,
        );
        assert_eq!(codes(&p), vec![Code::PhoneInvalid, Code::EmailInvalid]);
    }

    #[test]
    fn extensions_go_to_the_extension_column_or_the_report() {
        let p = run(&["phone", "ext"], &["+1 650 253 0000 x12", ""], &gb());
        let c = clean(&p);
        assert!(c.rewrites.contains(&(1, Cell::Text("12".into()))));
        assert_eq!(
            codes(&run(&["phone"], &["+1 650 253 0000 x12"], &gb())),
            vec![Code::PhoneExtension]
        );
    }

    #[test]
    fn google_pairs_take_their_label_from_the_type() {
        let p = run(
            &[
                "Phone 1 - Type",
                "Phone 1 - Value",
                "Phone 2 - Type",
                "Phone 2 - Value",
                "Phone 3 - Type",
                "Phone 3 - Value",
            ],
            &[
                "Work",
                "020 7183 8750",
                "* Mobile",
                "07911 123456 ::: 07400 123456",
                "Work Fax",
                "not checked",
            ],
            &gb(),
        );
        let c = clean(&p);
        assert_eq!(c.contact().primary_phone().unwrap().e164, "+447911123456");
        assert!(
            c.rewrites
                .contains(&(3, Cell::Text("+447911123456 ::: +447400123456".into())))
        );
        assert_eq!(c.contact().phones.len(), 3);
    }

    #[test]
    fn blank_rows_and_read_problems() {
        assert!(matches!(
            run(&["a", "b"], &["", " "], &gb()).outcome,
            Verdict::Blank
        ));
    }

    #[test]
    fn truthy_flags() {
        for yes in [
            "true", "TRUE", " Yes ", "y", "Y", "1", "x", "X", "primary", "Primary",
        ] {
            assert!(is_truthy(yes), "{yes:?}");
        }
        for no in [
            "",
            " ",
            "false",
            "no",
            "n",
            "0",
            "2",
            "-",
            "maybe",
            "yes please",
            "primary contact",
        ] {
            assert!(!is_truthy(no), "{no:?}");
        }
    }

    #[test]
    fn import_columns_fill_the_contact() {
        let headers = [
            "Contact Person ID",
            "Contact ID",
            "Status",
            "Is Primary Contact",
            "Mobile",
        ];
        let row = [" 4600001 ", "4600000 ", " VIP", " Yes ", "07911 123456"];
        let p = run(&headers, &row, &gb());
        let c = clean(&p);
        assert_eq!(c.contact().record_id, "4600001");
        assert_eq!(c.contact().parent_id, "4600000");
        assert_eq!(c.contact().status, "VIP");
        assert!(c.contact().is_primary);
        // Only the phone is rewritten: the new columns are carried through as they are.
        assert_eq!(c.rewrites, vec![(4, Cell::Text("+447911123456".into()))]);

        // Empty and false-ish cells leave the defaults, and never reject the row.
        let p = run(&headers, &["", " ", "", "no", "07911 123456"], &gb());
        let c = clean(&p);
        assert_eq!(c.contact().record_id, "");
        assert_eq!(c.contact().parent_id, "");
        assert_eq!(c.contact().status, "");
        assert!(!c.contact().is_primary);

        // The keys-only fast path (clean) skips them.
        let keys_only = TransformOptions {
            keys_only: true,
            ..gb()
        };
        let p = run(&headers, &row, &keys_only);
        let c = clean(&p);
        assert_eq!(*c.contact(), Contact::default());
    }

    #[test]
    fn a_remote_id_column_from_an_import_report_is_the_record_id() {
        let p = run(
            &["phone", "_row", "_remote_id", "primary"],
            &["07911 123456", "7", "zc-42", "x"],
            &gb(),
        );
        let c = clean(&p);
        assert_eq!(c.contact().record_id, "zc-42");
        assert!(c.contact().is_primary);
    }

    #[test]
    fn emails() {
        assert!(is_valid_email("a.b+c@example.co.uk"));
        assert!(is_valid_email("zoë@exämple.de"));
        assert!(!is_valid_email("a@b"));
        assert!(!is_valid_email("a b@c.de"));
        assert!(!is_valid_email("@c.de"));
        assert!(!is_valid_email("a@-c.de"));
        assert!(!is_valid_email("a@@c.de"));
        assert!(!is_valid_email("a@c..de"));
        assert!(!is_valid_email("a@c-.de"));
        assert!(!is_valid_email("a@c.de."));
        assert!(!is_valid_email("a\u{a0}b@c.de"));
        assert!(!is_valid_email("a@c\u{2003}.de"));
        assert!(is_valid_email("\"a@b\"@c.de"));
    }
}
