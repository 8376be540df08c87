//! The bot's commands, parsed from a message's text.

/// A command a member (or a stranger) sends.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Command {
    /// `/start [CODE]`: join with an invite code.
    Start(Option<String>),
    /// `/help`.
    Help,
    /// `/tasks`: my unit's obligations and this month's status.
    Tasks,
    /// `/report`: choose an obligation, then write.
    Report,
    /// `/summary [1404-02]`.
    Summary(Option<String>),
    /// `/overdue`.
    Overdue,
    /// `/export [1404-02]`.
    Export(Option<String>),
    /// `/chart [1404-02]` (not built yet).
    Chart(Option<String>),
    /// `/lang [fa|en]`.
    Lang(Option<String>),
    /// `/whoami`.
    Whoami,
    /// `/members [UNIT]`: the members the sender administers (admins and staff).
    Members(Option<String>),
    /// `/invite UNIT ROLE`: a one-time invite and its deep link.
    Invite(Option<String>),
    /// `/revoke [ID]`: revoke a member, after a confirmation by button.
    Revoke(Option<String>),
    /// Anything else that looks like a command.
    Unknown(String),
}

/// The commands of the menu, in order, with their message ids (for `setMyCommands`).
pub const MENU: [(&str, &str); 12] = [
    ("tasks", "command-tasks"),
    ("report", "command-report"),
    ("summary", "command-summary"),
    ("overdue", "command-overdue"),
    ("export", "command-export"),
    ("lang", "command-lang"),
    ("members", "command-members"),
    ("invite", "command-invite"),
    ("revoke", "command-revoke"),
    ("whoami", "command-whoami"),
    ("help", "command-help"),
    ("start", "command-start"),
];

/// Parses `text` as a command. `None` when it is not one, or is addressed to another bot
/// (`/help@other_bot`). Arguments are trimmed; an empty argument is `None`.
pub fn parse(text: &str, bot_username: &str) -> Option<Command> {
    let text = text.trim_start();
    let rest = text.strip_prefix('/')?;
    let (head, args) = match rest.find(char::is_whitespace) {
        Some(i) => (&rest[..i], rest[i..].trim()),
        None => (rest, ""),
    };
    let (name, addressee) = match head.split_once('@') {
        Some((n, a)) => (n, Some(a)),
        None => (head, None),
    };
    if addressee.is_some_and(|a| !a.eq_ignore_ascii_case(bot_username)) {
        return None;
    }
    if name.is_empty() {
        return None;
    }
    let arg = (!args.is_empty()).then(|| args.chars().take(200).collect::<String>());
    Some(match name.to_ascii_lowercase().as_str() {
        "start" => Command::Start(arg),
        "help" => Command::Help,
        "tasks" => Command::Tasks,
        "report" => Command::Report,
        "summary" => Command::Summary(arg),
        "overdue" => Command::Overdue,
        "export" => Command::Export(arg),
        "chart" => Command::Chart(arg),
        "lang" => Command::Lang(arg),
        "whoami" => Command::Whoami,
        "members" => Command::Members(arg),
        "invite" => Command::Invite(arg),
        "revoke" => Command::Revoke(arg),
        other => Command::Unknown(other.chars().take(64).collect()),
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn commands() {
        let cases = [
            ("/start abc123", Some(Command::Start(Some("abc123".into())))),
            ("/start", Some(Command::Start(None))),
            ("  /HELP  ", Some(Command::Help)),
            (
                "/summary ۱۴۰۴-۰۲",
                Some(Command::Summary(Some("۱۴۰۴-۰۲".into()))),
            ),
            (
                "/summary@setad_bot 1404-02",
                Some(Command::Summary(Some("1404-02".into()))),
            ),
            ("/summary@Setad_Bot", Some(Command::Summary(None))),
            ("/summary@other_bot", None),
            (
                "/export\n1404-02",
                Some(Command::Export(Some("1404-02".into()))),
            ),
            ("/foo", Some(Command::Unknown("foo".into()))),
            ("/members", Some(Command::Members(None))),
            (
                "/invite آمل governor",
                Some(Command::Invite(Some("آمل governor".into()))),
            ),
            ("/revoke ۱۲", Some(Command::Revoke(Some("۱۲".into())))),
            ("hello /help", None),
            ("/", None),
            ("", None),
        ];
        for (text, expected) in cases {
            assert_eq!(parse(text, "setad_bot"), expected, "{text:?}");
        }
    }

    #[test]
    fn long_arguments_are_cut() {
        let Some(Command::Start(Some(code))) =
            parse(&format!("/start {}", "x".repeat(10_000)), "b")
        else {
            panic!()
        };
        assert_eq!(code.chars().count(), 200);
    }
}
