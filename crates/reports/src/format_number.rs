//! Figures in words for the PDF, as a reader in the report's language writes them:
//! `1.234,5` and `25,0%` in Portuguese, `1,234.5` and `25.0%` in English.

use crate::{Cell, ColumnKind, Locale};

pub fn cell_text(cell: &Cell, kind: &ColumnKind, locale: Locale) -> String {
    match cell {
        Cell::Empty => "—".to_string(),
        Cell::Text(s) => s.clone(),
        Cell::Date(d) => match locale {
            Locale::PtBr => d.strftime("%d/%m/%Y").to_string(),
            Locale::En => d.to_string(),
        },
        Cell::DateTime(t) => match locale {
            Locale::PtBr => t.strftime("%d/%m/%Y %H:%M").to_string(),
            Locale::En => t.strftime("%Y-%m-%d %H:%M").to_string(),
        },
        Cell::Int(v) => number(*v as f64, kind, locale),
        Cell::Num(v) => number(*v, kind, locale),
    }
}

fn number(v: f64, kind: &ColumnKind, locale: Locale) -> String {
    match kind {
        ColumnKind::Percent => format!("{}%", grouped(v * 100.0, 1, locale)),
        ColumnKind::Money(code) => {
            let symbol = if code == "BRL" { "R$" } else { code.as_str() };
            format!("{symbol} {}", grouped(v, 2, locale))
        }
        ColumnKind::Decimal => grouped(v, 2, locale),
        ColumnKind::Integer if v.fract() == 0.0 => grouped(v, 0, locale),
        _ => grouped(v, 2, locale),
    }
}

/// `v` with `decimals` places and thousands grouped.
pub(crate) fn grouped(v: f64, decimals: usize, locale: Locale) -> String {
    let (thousands, point) = match locale {
        Locale::PtBr => ('.', ','),
        Locale::En => (',', '.'),
    };
    let fixed = format!("{:.*}", decimals, v.abs());
    let (int, frac) = fixed.split_once('.').unwrap_or((&fixed, ""));
    let mut out = String::new();
    for (i, ch) in int.chars().enumerate() {
        if i > 0 && (int.len() - i) % 3 == 0 {
            out.push(thousands);
        }
        out.push(ch);
    }
    if !frac.is_empty() {
        out.push(point);
        out.push_str(frac);
    }
    let negative = v < 0.0 && fixed.chars().any(|c| c.is_ascii_digit() && c != '0');
    if negative { format!("-{out}") } else { out }
}

/// The change from `previous` to `value` in words (`+12,5%`), or a dash when there is no
/// previous value or it was zero.
pub fn change_text(value: &Cell, previous: &Cell, kind: &ColumnKind, locale: Locale) -> String {
    let (Some(v), Some(p)) = (value.as_f64(), previous.as_f64()) else {
        return "—".to_string();
    };
    if *kind == ColumnKind::Percent {
        // A rate's change is told in percentage points: 20% -> 25% is +5,0 p.p.
        let d = (v - p) * 100.0;
        return format!("{}{} p.p.", if d > 0.0 { "+" } else { "" }, grouped(d, 1, locale));
    }
    if p == 0.0 {
        return "—".to_string();
    }
    let d = (v - p) / p.abs() * 100.0;
    format!("{}{}%", if d > 0.0 { "+" } else { "" }, grouped(d, 1, locale))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn numbers_in_each_language() {
        assert_eq!(grouped(1234567.891, 2, Locale::PtBr), "1.234.567,89");
        assert_eq!(grouped(1234567.891, 2, Locale::En), "1,234,567.89");
        assert_eq!(grouped(-999.0, 0, Locale::En), "-999");
        assert_eq!(grouped(-0.001, 1, Locale::En), "0.0");
        assert_eq!(cell_text(&Cell::Num(0.255), &ColumnKind::Percent, Locale::PtBr), "25,5%");
        assert_eq!(
            cell_text(&Cell::Num(1500.0), &ColumnKind::Money("BRL".into()), Locale::PtBr),
            "R$ 1.500,00"
        );
        assert_eq!(cell_text(&Cell::Int(12000), &ColumnKind::Integer, Locale::PtBr), "12.000");
    }

    #[test]
    fn changes_in_percent_and_points() {
        let k = ColumnKind::Integer;
        assert_eq!(change_text(&Cell::Int(15), &Cell::Int(10), &k, Locale::En), "+50.0%");
        assert_eq!(change_text(&Cell::Int(5), &Cell::Int(10), &k, Locale::PtBr), "-50,0%");
        assert_eq!(change_text(&Cell::Int(5), &Cell::Int(0), &k, Locale::En), "—");
        assert_eq!(
            change_text(&Cell::Num(0.25), &Cell::Num(0.2), &ColumnKind::Percent, Locale::PtBr),
            "+5,0 p.p."
        );
        assert_eq!(change_text(&Cell::Int(5), &Cell::Empty, &k, Locale::En), "—");
    }
}
