//! What the patient wrote, without what their mail program added: the quoted message they
//! answer ("On ... wrote:", "Em ... escreveu:", Outlook's header block, `>` lines) and the
//! signature ("-- ", "Enviado do meu iPhone"). The understanding code reads only this.

/// Lines that open the quoted original in the common mail programs, in both languages.
fn opens_quote(line: &str, next: Option<&str>) -> bool {
    let l = line.trim();
    let lower = l.to_lowercase();
    let ends_attribution = |s: &str| {
        let s = s.trim_end().to_lowercase();
        s.ends_with("wrote:") || s.ends_with("escreveu:") || s.ends_with("escribió:")
    };
    if (lower.starts_with("on ") || lower.starts_with("em ") || lower.starts_with("el "))
        && (ends_attribution(l) || next.is_some_and(ends_attribution))
    {
        return true;
    }
    if lower.starts_with("-----original message")
        || lower.starts_with("-----mensagem original")
        || lower.starts_with("----- original message")
        || (l.len() >= 20 && l.chars().all(|c| c == '_'))
    {
        return true;
    }
    // Outlook: "From: ..." / "De: ..." followed by "Sent:" / "Enviado:" / "Date:".
    (lower.starts_with("from:") || lower.starts_with("de:"))
        && next.is_some_and(|n| {
            let n = n.trim().to_lowercase();
            n.starts_with("sent:")
                || n.starts_with("enviado:")
                || n.starts_with("date:")
                || n.starts_with("data:")
        })
}

/// Lines that open a signature or a device's footer.
fn opens_signature(line: &str) -> bool {
    let l = line.trim_end();
    if l == "--" || l == "-- " || l == "—" {
        return true;
    }
    let lower = l.trim().to_lowercase();
    ["enviado do meu ", "enviado de meu ", "sent from my ", "get outlook for ", "obter o outlook para "]
        .iter()
        .any(|p| lower.starts_with(p))
}

/// The reply without its quoted history and signature, trimmed. A message that is nothing
/// but a quote (a forward without a word) comes back empty.
pub fn strip_quoted(text: &str) -> String {
    let text = text.replace("\r\n", "\n");
    let lines: Vec<&str> = text.lines().collect();
    let mut kept: Vec<&str> = Vec::new();
    for (i, line) in lines.iter().enumerate() {
        if opens_quote(line, lines.get(i + 1).copied()) || opens_signature(line) {
            break;
        }
        if line.trim_start().starts_with('>') {
            continue;
        }
        kept.push(line);
    }
    kept.join("\n").trim().to_owned()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn gmail_replies_in_both_languages_lose_the_quote() {
        let pt = "Quero marcar sim, pode ser quinta?\n\nEm seg., 7 de dez. de 2026 às 10:00, Clínica Sorriso <\ncontato@sorriso.example> escreveu:\n\n> Olá, Maria! Faz tempo...\n";
        assert_eq!(strip_quoted(pt), "Quero marcar sim, pode ser quinta?");
        let en = "No thanks, I already found another clinic.\r\n\r\nOn Mon, Dec 7, 2026 at 10:00 AM Smile Clinic <hello@smile.example>\r\nwrote:\r\n> Hi Maria\r\n";
        assert_eq!(strip_quoted(en), "No thanks, I already found another clinic.");
    }

    #[test]
    fn outlook_headers_signatures_and_device_footers_are_cut() {
        let outlook = "Pode ser sexta.\n\nDe: Clínica Sorriso <contato@sorriso.example>\nEnviado: segunda-feira\nPara: Maria\n\nOlá";
        assert_eq!(strip_quoted(outlook), "Pode ser sexta.");
        assert_eq!(strip_quoted("Sim!\n\nEnviado do meu iPhone"), "Sim!");
        assert_eq!(strip_quoted("Yes\n-- \nMaria Souza\nEngineer"), "Yes");
        assert_eq!(strip_quoted("ok\n________________________________\nFrom: x"), "ok");
    }

    #[test]
    fn interleaved_quote_lines_are_dropped_and_plain_text_is_kept() {
        assert_eq!(strip_quoted("> quando?\nAmanhã às 10h\n> ok?\nsim"), "Amanhã às 10h\nsim");
        assert_eq!(strip_quoted("Obrigada, até lá"), "Obrigada, até lá");
        assert_eq!(strip_quoted("> only a quote"), "");
        // "Em" opening a sentence is not an attribution line.
        assert_eq!(strip_quoted("Em dezembro fica melhor para mim"), "Em dezembro fica melhor para mim");
    }
}
