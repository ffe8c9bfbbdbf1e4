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
}

impl InputPlan {
    /// What changes what a row of this input becomes, for a journal's header: the column
    /// mapping resolved against the input's header (so `--map`, `--mapping` and the columns
    /// recognised all count), the region options, `--mobile-only`, and the format, encoding
    /// and delimiter the input is read with. A resume that differs in any is refused.
    pub fn journal_options(
        &self,
        schema: &crate::source::Schema,
        info: &crate::source::SourceInfo,
    ) -> Vec<(String, String)> {
        let resolved = crate::mapping::Roles::resolve(schema, &self.mapping).describe(schema);
        let mapping = resolved
            .iter()
            .map(|m| format!("{} -> {}", m.column, m.field))
            .collect::<Vec<_>>()
            .join("; ");
        let overrides = self
            .mapping
            .overrides
            .iter()
            .map(|(field, header)| format!("{field}={header}"))
            .collect::<Vec<_>>()
            .join("; ");
        let mut o = vec![
            ("mapping".to_string(), mapping),
            ("format".to_string(), format!("{:?}", info.format)),
            ("encoding".to_string(), info.encoding.clone()),
            (
                "mobile_only".to_string(),
                self.transform.mobile_only.to_string(),
            ),
        ];
        if !overrides.is_empty() {
            o.push(("map".to_string(), overrides));
        }
        if let Some(d) = &info.delimiter {
            o.push(("delimiter".to_string(), d.clone()));
        }
        if let Some(r) = self.transform.default_region {
            o.push(("default_region".to_string(), format!("{r:?}")));
        }
        if let Some(c) = &self.mapping.region_column {
            o.push(("region_column".to_string(), c.clone()));
        }
        o
    }
}
