//! Options a registered module declares: a target's destination (`--address-book-id`), an
//! emulator's setting. The module lists its [`Flag`]s; the command line builds them from the
//! registry ([`Declared`]), with their help, their environment variable and their heading,
//! and hands the values down as plain data ([`FlagValues`]).

use std::collections::BTreeMap;
use std::marker::PhantomData;

/// One option a module declares.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Flag {
    /// The key its values are kept under (`address_book_id`): clap's id, and the name in
    /// [`FlagValues`].
    pub id: &'static str,
    /// The long option (`address-book-id`).
    pub long: &'static str,
    /// The environment variable that gives it, if any.
    pub env: Option<&'static str>,
    /// The value's name in the help (`ID`).
    pub value_name: &'static str,
    /// One line of help.
    pub help: &'static str,
    /// The help heading it is listed under (`""`: the command's own options).
    pub heading: &'static str,
    /// It takes several values, repeated or comma-separated.
    pub repeated: bool,
    /// Commands that take one value at most, each with the sentence that says so.
    pub one_for: &'static [(&'static str, &'static str)],
}

impl Flag {
    /// The option `--long`, kept as `id`, with its value named `value_name`, one line of help,
    /// listed under "API".
    pub const fn new(
        id: &'static str,
        long: &'static str,
        value_name: &'static str,
        help: &'static str,
    ) -> Flag {
        Flag {
            id,
            long,
            env: None,
            value_name,
            help,
            heading: "API",
            repeated: false,
            one_for: &[],
        }
    }

    /// Also given by the environment variable `var`.
    pub const fn env(mut self, var: &'static str) -> Flag {
        self.env = Some(var);
        self
    }

    /// Takes several values, repeated or comma-separated; `one_for` names the commands that
    /// take one at most, with the sentence that says so.
    pub const fn repeated(mut self, one_for: &'static [(&'static str, &'static str)]) -> Flag {
        self.repeated = true;
        self.one_for = one_for;
        self
    }

    /// Listed under `heading` in the help (`""`: with the command's own options).
    pub const fn heading(mut self, heading: &'static str) -> Flag {
        self.heading = heading;
        self
    }

    /// The clap argument.
    fn arg(&self) -> clap::Arg {
        let mut arg = clap::Arg::new(self.id)
            .long(self.long)
            .value_name(self.value_name)
            .help(self.help);
        if !self.heading.is_empty() {
            arg = arg.help_heading(self.heading);
        }
        if let Some(var) = self.env {
            arg = arg.env(var);
        }
        if self.repeated {
            arg = arg.action(clap::ArgAction::Append).value_delimiter(',');
        }
        arg
    }
}

/// The values given to declared options, by id: what the command line hands down.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct FlagValues(BTreeMap<&'static str, Vec<String>>);

impl FlagValues {
    /// `id`'s values: the given ones, else none.
    pub fn all(&self, id: &str) -> &[String] {
        self.0.get(id).map_or(&[], Vec::as_slice)
    }

    /// `id`'s first value, if it was given.
    pub fn one(&self, id: &str) -> Option<&str> {
        self.all(id).first().map(String::as_str)
    }

    /// These values with `id` set to `values` (a test's or a caller's own).
    pub fn with(mut self, id: &'static str, values: &[&str]) -> FlagValues {
        self.0
            .insert(id, values.iter().map(|v| v.to_string()).collect());
        self
    }

    /// Why `command` cannot take these values: an option it takes once was given more than
    /// once (the flag's own sentence).
    pub fn refused_by(&self, flags: &[&'static Flag], command: &str) -> Option<&'static str> {
        flags.iter().find_map(|f| {
            let (_, why) = f.one_for.iter().find(|(c, _)| *c == command)?;
            (self.all(f.id).len() > 1).then_some(*why)
        })
    }
}

/// A list of declared options: the registry's flags for one purpose.
pub trait FlagSource {
    /// The flags, each once, in the order the help lists them.
    fn flags() -> Vec<&'static Flag>;
}

/// The options of `S`, built into a command line and read back from it: a clap group to
/// flatten into a command's arguments.
pub struct Declared<S> {
    pub values: FlagValues,
    source: PhantomData<S>,
}

impl<S> Declared<S> {
    /// The group holding `values`.
    pub fn new(values: FlagValues) -> Declared<S> {
        Declared {
            values,
            source: PhantomData,
        }
    }
}

impl<S> Clone for Declared<S> {
    fn clone(&self) -> Self {
        Declared::new(self.values.clone())
    }
}

impl<S> Default for Declared<S> {
    fn default() -> Self {
        Declared::new(FlagValues::default())
    }
}

impl<S> std::fmt::Debug for Declared<S> {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        self.values.fmt(f)
    }
}

impl<S: FlagSource> clap::FromArgMatches for Declared<S> {
    fn from_arg_matches(matches: &clap::ArgMatches) -> Result<Self, clap::Error> {
        let mut values = FlagValues::default();
        for flag in S::flags() {
            let given: Vec<String> = matches
                .get_many::<String>(flag.id)
                .into_iter()
                .flatten()
                .cloned()
                .collect();
            if !given.is_empty() {
                values.0.insert(flag.id, given);
            }
        }
        Ok(Declared::new(values))
    }

    fn update_from_arg_matches(&mut self, matches: &clap::ArgMatches) -> Result<(), clap::Error> {
        *self = Self::from_arg_matches(matches)?;
        Ok(())
    }
}

impl<S: FlagSource> clap::Args for Declared<S> {
    fn augment_args(cmd: clap::Command) -> clap::Command {
        S::flags().into_iter().fold(cmd, |cmd, f| cmd.arg(f.arg()))
    }

    fn augment_args_for_update(cmd: clap::Command) -> clap::Command {
        Self::augment_args(cmd)
    }
}

/// `flags` without a second flag of the same id (two modules may declare the same option).
pub fn each_once(flags: impl IntoIterator<Item = &'static Flag>) -> Vec<&'static Flag> {
    let mut out: Vec<&'static Flag> = Vec::new();
    for f in flags {
        if !out.iter().any(|o| o.id == f.id) {
            out.push(f);
        }
    }
    out
}

#[cfg(test)]
mod tests {
    use super::*;
    use clap::{Args, FromArgMatches};

    static BOOK: Flag = Flag::new("book_id", "book-id", "ID", "The book").env("TEST_FLAGS_BOOK");
    static PAGES: Flag = Flag::new("page_id", "page-id", "ID", "The pages")
        .repeated(&[("write", "write takes one page")]);

    struct Two;
    impl FlagSource for Two {
        fn flags() -> Vec<&'static Flag> {
            each_once([&BOOK, &PAGES, &BOOK])
        }
    }

    fn parse(args: &[&str]) -> Result<FlagValues, clap::Error> {
        let cmd = Declared::<Two>::augment_args(clap::Command::new("t"));
        let m = cmd.try_get_matches_from(args)?;
        Ok(Declared::<Two>::from_arg_matches(&m)?.values)
    }

    #[test]
    fn declared_flags_parse_into_values_by_id() {
        let v = parse(&["t", "--book-id", "7", "--page-id", "1,2", "--page-id", "3"]).unwrap();
        assert_eq!(v.one("book_id"), Some("7"));
        assert_eq!(v.all("page_id"), ["1", "2", "3"]);
        assert_eq!(
            v.refused_by(&Two::flags(), "write"),
            Some("write takes one page")
        );
        assert_eq!(v.refused_by(&Two::flags(), "read"), None);
        let none = parse(&["t"]).unwrap();
        assert!(none.all("page_id").is_empty());
        assert!(parse(&["t", "--nope", "1"]).is_err());
    }

    #[test]
    fn a_flag_declared_twice_is_built_once() {
        assert_eq!(Two::flags().len(), 2);
    }
}
