//! What to read and how to make each row a contact: the checked options of an input, shared
//! by `clean`, `import` and `sms`.

use crate::mapping::MappingSpec;
use crate::source::SourceOptions;
use crate::transform::TransformOptions;

/// Everything needed to read and transform an input, checked.
#[derive(Debug, Clone)]
pub struct InputPlan {
    pub source: SourceOptions,
    pub mapping: MappingSpec,
    pub transform: TransformOptions,
    /// The warnings file (`--warnings`, or beside the error report with
    /// `--bad-secondary drop`), when there is one.
    pub warnings: Option<String>,
}

impl InputPlan {
    /// What changes what a row of this input becomes, for a journal's header: the column
    /// mapping resolved against the input's header (so `--map`, `--mapping` and the columns
    /// recognised all count), the region options and `--mobile-only`. A resume that differs in
    /// any is refused.
    pub fn journal_options(&self, schema: &crate::source::Schema) -> Vec<(String, String)> {
        let resolved = crate::mapping::Roles::resolve(schema, &self.mapping).describe(schema);
        // In column-name order: the columns' order in the file does not change what a row
        // becomes.
        let mut mapping: Vec<String> = resolved
            .iter()
            .map(|m| format!("{} -> {}", m.column, m.field))
            .collect();
        mapping.sort();
        let mapping = mapping.join("; ");
        let overrides = self
            .mapping
            .overrides
            .iter()
            .map(|(field, header)| format!("{field}={header}"))
            .collect::<Vec<_>>()
            .join("; ");
        // The file's format, encoding and delimiter are not here: the list's fingerprint is
        // taken from its rows as read, so a copy saved in another encoding is the same list.
        let mut o = vec![
            ("mapping".to_string(), mapping),
            (
                "mobile_only".to_string(),
                self.transform.mobile_only.to_string(),
            ),
        ];
        if !overrides.is_empty() {
            o.push(("map".to_string(), overrides));
        }
        if let Some(r) = self.transform.default_region {
            o.push(("default_region".to_string(), format!("{r:?}")));
        }
        // Only when not the default, so that a journal written before these options existed
        // still resumes.
        if self.transform.bare_digits != crate::phone::BareDigits::Reject {
            o.push((
                "bare_digits".to_string(),
                self.transform.bare_digits.as_str().to_string(),
            ));
        }
        if self.transform.bad_secondary != crate::transform::BadSecondary::Reject {
            o.push((
                "bad_secondary".to_string(),
                self.transform.bad_secondary.as_str().to_string(),
            ));
        }
        if let Some(c) = &self.mapping.region_column {
            o.push(("region_column".to_string(), c.clone()));
        }
        o
    }
}
