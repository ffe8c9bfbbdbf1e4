//! Workbooks written by hand, part by part, for what a spreadsheet writer will not write: a
//! number cell holding `NaN` or `1e400`, a text holding a NUL, shared strings that unpack to a
//! gigabyte. An xlsx is a ZIP of XML parts; so is an ods.

use std::io::{self, Write};
use std::path::Path;

use zip::write::SimpleFileOptions;

/// The workbook's parts that every xlsx written here shares, but the sheet and the strings.
const XLSX_PARTS: [(&str, &str); 4] = [
    (
        "[Content_Types].xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types"><Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/><Default Extension="xml" ContentType="application/xml"/><Override PartName="/xl/workbook.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/><Override PartName="/xl/worksheets/sheet1.xml" ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/></Types>"#,
    ),
    (
        "_rels/.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument" Target="xl/workbook.xml"/></Relationships>"#,
    ),
    (
        "xl/workbook.xml",
        r#"<?xml version="1.0" encoding="UTF-8"?><workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main" xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships"><sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"#,
    ),
    (
        "xl/_rels/workbook.xml.rels",
        r#"<?xml version="1.0" encoding="UTF-8"?><Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships"><Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet" Target="worksheets/sheet1.xml"/><Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings" Target="sharedStrings.xml"/></Relationships>"#,
    ),
];

/// An inline text cell, XML-escaped (`_x0000_` is how an xlsx writes a NUL).
pub fn text(at: &str, value: &str) -> String {
    let escaped = value
        .replace('&', "&amp;")
        .replace('<', "&lt;")
        .replace('>', "&gt;");
    format!(r#"<c r="{at}" t="inlineStr"><is><t xml:space="preserve">{escaped}</t></is></c>"#)
}

/// A number cell holding `raw` as the file writes it (`14155552671`, `NaN`, `1e400`).
pub fn number(at: &str, raw: &str) -> String {
    format!(r#"<c r="{at}"><v>{raw}</v></c>"#)
}

/// A cell holding shared string `index`.
pub fn shared(at: &str, index: usize) -> String {
    format!(r#"<c r="{at}" t="s"><v>{index}</v></c>"#)
}

/// A worksheet of `rows`: (row number, its cells).
pub fn sheet(rows: &[(u32, Vec<String>)]) -> String {
    let mut out = String::from(
        r#"<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"><sheetData>"#,
    );
    for (r, cells) in rows {
        out.push_str(&format!(r#"<row r="{r}">"#));
        for c in cells {
            out.push_str(c);
        }
        out.push_str("</row>");
    }
    out.push_str("</sheetData></worksheet>");
    out
}

/// Writes the parts of a workbook as it goes.
pub type PartWriter<'a> = &'a mut dyn FnMut(&mut dyn Write) -> io::Result<()>;

/// Writes an xlsx of one sheet (`sheet_xml`) and, when given, a shared strings part written
/// by `strings` as it goes (so that a gigabyte of it is never held).
pub fn write_xlsx(path: &Path, sheet_xml: &str, strings: Option<PartWriter<'_>>) {
    write_xlsx_streamed(path, &mut |w| w.write_all(sheet_xml.as_bytes()), strings);
}

/// [`write_xlsx`], the sheet written by `sheet` as it goes too.
pub fn write_xlsx_streamed(path: &Path, sheet: PartWriter<'_>, strings: Option<PartWriter<'_>>) {
    let file = std::fs::File::create(path).expect("create the workbook");
    let mut zip = zip::ZipWriter::new(io::BufWriter::new(file));
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    for (name, xml) in XLSX_PARTS {
        zip.start_file(name, options).expect("a part");
        zip.write_all(xml.as_bytes()).expect("write a part");
    }
    zip.start_file("xl/worksheets/sheet1.xml", options.large_file(true))
        .expect("the sheet");
    sheet(&mut zip).expect("write the sheet");
    if let Some(write) = strings {
        zip.start_file("xl/sharedStrings.xml", options.large_file(true))
            .expect("the strings");
        write(&mut zip).expect("write the strings");
    }
    zip.finish().expect("finish the workbook");
}

/// Writes an ods whose `content.xml` holds one sheet of `rows` of text cells (`None`: an empty
/// cell).
pub fn write_ods(path: &Path, rows: &[Vec<Option<&str>>]) {
    let mut table = String::new();
    for row in rows {
        table.push_str("<table:table-row>");
        for cell in row {
            match cell {
                Some(t) => table.push_str(&format!(
                    r#"<table:table-cell office:value-type="string"><text:p>{t}</text:p></table:table-cell>"#
                )),
                None => table.push_str("<table:table-cell/>"),
            }
        }
        table.push_str("</table:table-row>");
    }
    let content = format!(
        r#"<?xml version="1.0" encoding="UTF-8"?><office:document-content xmlns:office="urn:oasis:names:tc:opendocument:xmlns:office:1.0" xmlns:table="urn:oasis:names:tc:opendocument:xmlns:table:1.0" xmlns:text="urn:oasis:names:tc:opendocument:xmlns:text:1.0" office:version="1.2"><office:body><office:spreadsheet><table:table table:name="Sheet1">{table}</table:table></office:spreadsheet></office:body></office:document-content>"#
    );
    let manifest = r#"<?xml version="1.0" encoding="UTF-8"?><manifest:manifest xmlns:manifest="urn:oasis:names:tc:opendocument:xmlns:manifest:1.0" manifest:version="1.2"><manifest:file-entry manifest:full-path="/" manifest:media-type="application/vnd.oasis.opendocument.spreadsheet"/><manifest:file-entry manifest:full-path="content.xml" manifest:media-type="text/xml"/></manifest:manifest>"#;
    let file = std::fs::File::create(path).expect("create the workbook");
    let mut zip = zip::ZipWriter::new(io::BufWriter::new(file));
    let stored = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Stored);
    let options = SimpleFileOptions::default().compression_method(zip::CompressionMethod::Deflated);
    zip.start_file("mimetype", stored).expect("the mimetype");
    zip.write_all(b"application/vnd.oasis.opendocument.spreadsheet")
        .expect("write the mimetype");
    zip.start_file("META-INF/manifest.xml", options)
        .expect("the manifest");
    zip.write_all(manifest.as_bytes())
        .expect("write the manifest");
    zip.start_file("content.xml", options).expect("the content");
    zip.write_all(content.as_bytes())
        .expect("write the content");
    zip.finish().expect("finish the workbook");
}
