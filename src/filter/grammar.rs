//! The filter grammar of RFC 7644 §3.4.2.2 (Figure 1), one function per rule, with nom 8.
//!
//! The ABNF's `FILTER` is left-recursive (`logExp = FILTER SP ("and" / "or") SP FILTER`); it is
//! parsed here by precedence (`not` > `and` > `or`, left-associative) in a single left-to-right
//! pass: every choice is made by looking at the next few characters, so no parenthesised prefix
//! is ever parsed twice and parsing is linear in the input. Two budgets bound the work: the
//! input length and the nesting depth of parentheses, `not` and value paths. Input past either
//! is an `invalidFilter` error, never a stack overflow.
//!
//! Lenient extras for what IdPs send (off with [`Limits::lenient`] `= false`): unquoted values
//! (`externalId eq jyoung`), and a value path followed by a sub-attribute comparison
//! (`emails[type eq "work"].value eq "x"`, read as `emails[type eq "work" and value eq "x"]`).
//! `+` and `%20` for spaces are decoded with the rest of the query string.

use super::{AttrPath, CompValue, CompareOp, Filter, PatchPath, Text};
use crate::error::ScimError;
use nom::bytes::complete::{tag, take_while1};
use nom::character::complete::char;
use nom::error::{ErrorKind, ParseError};
use nom::{IResult, Parser};

/// Budgets and dialect for parsing.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct Limits {
    /// Longest filter accepted, in bytes.
    pub max_len: usize,
    /// Deepest nesting of `(`, `not (` and `[` accepted.
    pub max_depth: usize,
    /// Accept the IdP extras described in the module documentation.
    pub lenient: bool,
}

impl Default for Limits {
    fn default() -> Self {
        Limits { max_len: 16 * 1024, max_depth: 32, lenient: true }
    }
}

/// A parse failure: where (the rest of the input) and what was expected there.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct PErr<'a> {
    pub rest: &'a str,
    pub expected: &'static str,
}

impl<'a> ParseError<&'a str> for PErr<'a> {
    fn from_error_kind(rest: &'a str, kind: ErrorKind) -> Self {
        let expected = match kind {
            ErrorKind::Char => "a specific character",
            ErrorKind::MultiSpace => "a space",
            ErrorKind::Tag => "a keyword",
            _ => "valid filter syntax",
        };
        PErr { rest, expected }
    }
    fn append(_: &'a str, _: ErrorKind, other: Self) -> Self {
        other
    }
    /// Of two alternatives, report the one that got further.
    fn or(self, other: Self) -> Self {
        if other.rest.len() < self.rest.len() { other } else { self }
    }
}

type PResult<'a, T> = IResult<&'a str, T, PErr<'a>>;

fn err<'a>(rest: &'a str, expected: &'static str) -> nom::Err<PErr<'a>> {
    nom::Err::Error(PErr { rest, expected })
}

fn fail<'a, T>(rest: &'a str, expected: &'static str) -> PResult<'a, T> {
    Err(nom::Err::Error(PErr { rest, expected }))
}

/// Turns a recoverable error into a committed one (no alternative may retry it).
fn cut<T>(r: PResult<'_, T>) -> PResult<'_, T> {
    r.map_err(|e| match e {
        nom::Err::Error(e) => nom::Err::Failure(e),
        other => other,
    })
}

/// Parses a filter with the default limits (lenient).
pub fn parse(input: &str) -> Result<Filter, ScimError> {
    parse_with(input, Limits::default())
}

/// Parses a whole filter; errors are 400 `invalidFilter` naming the position and expectation.
pub fn parse_with(input: &str, limits: Limits) -> Result<Filter, ScimError> {
    if input.len() > limits.max_len {
        return Err(ScimError::invalid_filter(format!(
            "the filter is {} bytes long; the limit is {}",
            input.len(),
            limits.max_len
        )));
    }
    let p = P { limits };
    let result = (|| -> Result<Filter, nom::Err<PErr<'_>>> {
        let i = spaces0(input);
        let (i, f) = p.filter(i, 0)?;
        let i = spaces0(i);
        if !i.is_empty() {
            return Err(err(i, "'and', 'or' or the end of the filter"));
        }
        Ok(f)
    })();
    result.map_err(|e| describe(input, e, ScimError::invalid_filter))
}

/// Parses a PATCH path: `PATH = attrPath / valuePath [subAttr]`; errors are `invalidPath`.
pub fn parse_path(input: &str) -> Result<PatchPath, ScimError> {
    let p = P { limits: Limits::default() };
    if input.len() > p.limits.max_len {
        return Err(ScimError::invalid_path("the path is too long"));
    }
    let result = (|| -> Result<PatchPath, nom::Err<PErr<'_>>> {
        let (i, attr) = attr_path(input.trim())?;
        let (i, filter, sub) = if let Some(rest) = i.strip_prefix('[') {
            if attr.sub.is_some() {
                return Err(err(i, "no value filter after a sub-attribute"));
            }
            let r = spaces0(rest);
            let (r, f) = p.val_filter(r, 1)?;
            let r = spaces0(r);
            let (r, _) = expect(char(']'), "']'").parse(r)?;
            let (r, sub) = match r.strip_prefix('.') {
                Some(after) => {
                    let (r, s) = attr_name(after)?;
                    (r, Some(Text::from(s)))
                }
                None => (r, None),
            };
            (r, Some(f), sub)
        } else {
            (i, None, None)
        };
        if !i.is_empty() {
            return Err(err(i, "the end of the path"));
        }
        Ok(PatchPath { attr, filter, sub })
    })();
    result.map_err(|e| describe(input.trim(), e, ScimError::invalid_path))
}

fn describe(input: &str, e: nom::Err<PErr<'_>>, make: fn(String) -> ScimError) -> ScimError {
    let (rest, expected) = match e {
        nom::Err::Error(e) | nom::Err::Failure(e) => (e.rest, e.expected),
        nom::Err::Incomplete(_) => ("", "more input"),
    };
    let pos = input.len() - rest.len();
    let found = match rest.chars().next() {
        None => "the end of the input".to_owned(),
        Some(_) => format!("'{}'", rest.chars().take(20).collect::<String>()),
    };
    make(format!("invalid at position {pos}: expected {expected}, found {found}"))
}

/// Labels the errors a parser raises at its own starting point.
fn expect<'a, O>(
    mut p: impl Parser<&'a str, Output = O, Error = PErr<'a>>,
    what: &'static str,
) -> impl Parser<&'a str, Output = O, Error = PErr<'a>> {
    move |i: &'a str| {
        p.parse(i).map_err(|e| {
            e.map(|mut pe| {
                if pe.rest.len() == i.len() {
                    pe.expected = what;
                }
                pe
            })
        })
    }
}

struct P {
    limits: Limits,
}

impl P {
    /// `FILTER = attrExp / logExp / valuePath / *1"not" "(" FILTER ")"`
    ///
    /// Parsed as `or-level` (see `log_exp`).
    fn filter<'a>(&self, i: &'a str, depth: usize) -> PResult<'a, Filter> {
        self.log_exp(i, depth, false)
    }

    /// `valFilter = attrExp / logExp / *1"not" "(" valFilter ")"`
    ///
    /// The same shape as `FILTER` without nested value paths.
    fn val_filter<'a>(&self, i: &'a str, depth: usize) -> PResult<'a, Filter> {
        self.log_exp(i, depth, true)
    }

    /// `logExp = FILTER SP ("and" / "or") SP FILTER`
    ///
    /// The `or` level: `and`-terms joined by `or`, left-associative.
    fn log_exp<'a>(&self, i: &'a str, depth: usize, in_value: bool) -> PResult<'a, Filter> {
        let (mut i, mut left) = self.and_term(i, depth, in_value)?;
        while let Some(rest) = keyword(i, "or") {
            let (r, right) = cut(self.and_term(rest, depth, in_value))?;
            left = Filter::Or(Box::new(left), Box::new(right));
            i = r;
        }
        Ok((i, left))
    }

    /// The `and` level of `logExp`: factors joined by `and`, left-associative.
    fn and_term<'a>(&self, i: &'a str, depth: usize, in_value: bool) -> PResult<'a, Filter> {
        let (mut i, mut left) = self.factor(i, depth, in_value)?;
        while let Some(rest) = keyword(i, "and") {
            let (r, right) = cut(self.factor(rest, depth, in_value))?;
            left = Filter::And(Box::new(left), Box::new(right));
            i = r;
        }
        Ok((i, left))
    }

    /// `*1"not" "(" FILTER ")"`, a parenthesised group, or an `attrExp`/`valuePath`.
    ///
    /// `not` may be followed by a space or not (erratum 7319).
    fn factor<'a>(&self, i: &'a str, depth: usize, in_value: bool) -> PResult<'a, Filter> {
        if depth >= self.limits.max_depth {
            return Err(nom::Err::Failure(PErr { rest: i, expected: "less nesting (the nesting limit was reached)" }));
        }
        if i.starts_with('(') {
            let (i, f) = self.group(i, depth, in_value)?;
            return Ok((i, f));
        }
        if let Some(rest) = i.get(..3).filter(|w| w.eq_ignore_ascii_case("not")).map(|_| i[3..].trim_start())
            && rest.starts_with('(')
        {
            let (i, f) = cut(self.group(rest, depth, in_value))?;
            return Ok((i, Filter::Not(Box::new(f))));
        }
        self.attr_exp(i, depth, in_value)
    }

    /// `"(" FILTER ")"`
    fn group<'a>(&self, i: &'a str, depth: usize, in_value: bool) -> PResult<'a, Filter> {
        let (i, _) = char('(').parse(i)?;
        let i = spaces0(i);
        let (i, f) = cut(self.log_exp(i, depth + 1, in_value))?;
        let i = spaces0(i);
        let (i, _) = cut(expect(char(')'), "')'").parse(i))?;
        Ok((i, f))
    }

    /// `attrExp = (attrPath SP "pr") / (attrPath SP compareOp SP compValue)`
    /// and `valuePath = attrPath "[" valFilter "]"`.
    fn attr_exp<'a>(&self, i: &'a str, depth: usize, in_value: bool) -> PResult<'a, Filter> {
        let (i, path) = expect(attr_path, "an attribute name, '(' or 'not ('").parse(i)?;
        if i.starts_with('[') {
            if in_value {
                return Err(nom::Err::Failure(PErr { rest: i, expected: "no value filter inside a value filter" }));
            }
            return cut(self.value_path(i, path, depth));
        }
        cut(self.condition(i, path))
    }

    /// The part of `attrExp` after the path: `SP "pr"` or `SP compareOp SP compValue`.
    fn condition<'a>(&self, i: &'a str, path: AttrPath) -> PResult<'a, Filter> {
        let Some(i) = spaces1(i) else { return fail(i, "a space after the attribute") };
        if let Some(rest) = word(i, "pr") {
            return Ok((rest, Filter::Present(path)));
        }
        let (i, op) = compare_op(i)?;
        let Some(i) = spaces1(i) else { return fail(i, "a space after the operator") };
        let (i, value) = comp_value(i, self.limits.lenient)?;
        Ok((i, Filter::Compare(path, op, value)))
    }

    /// `valuePath = attrPath "[" valFilter "]"`, and (lenient) a following
    /// `"." ATTRNAME SP ("pr" / compareOp SP compValue)`, folded into the value filter.
    fn value_path<'a>(&self, i: &'a str, path: AttrPath, depth: usize) -> PResult<'a, Filter> {
        if path.sub.is_some() {
            return fail(i, "no value filter after a sub-attribute");
        }
        let (i, _) = char('[').parse(i)?;
        let i = spaces0(i);
        let (i, inner) = self.val_filter(i, depth + 1)?;
        let i = spaces0(i);
        let (i, _) = expect(char(']'), "']'").parse(i)?;
        if self.limits.lenient
            && let Some(after) = i.strip_prefix('.')
        {
            let (r, sub) = attr_name(after)?;
            let sub_path = AttrPath { urn: None, attr: Text::from(sub), sub: None };
            let (r, cond) = self.condition(r, sub_path)?;
            let combined = Filter::And(Box::new(inner), Box::new(cond));
            return Ok((r, Filter::ValuePath(path, Box::new(combined))));
        }
        Ok((i, Filter::ValuePath(path, Box::new(inner))))
    }
}

/// `SP keyword SP`, case-insensitive; the rest after it, or `None`. A keyword at the very end
/// of the input is reported as a missing operand.
fn keyword<'a>(i: &'a str, kw: &'static str) -> Option<&'a str> {
    let rest = word(spaces1(i)?, kw)?;
    if rest.trim().is_empty() {
        return Some(rest);
    }
    spaces1(rest)
}

/// A case-insensitive (ASCII) word not followed by a name character.
fn word<'a>(i: &'a str, w: &'static str) -> Option<&'a str> {
    let n = w.len();
    if i.len() < n || !i.as_bytes()[..n].eq_ignore_ascii_case(w.as_bytes()) {
        return None;
    }
    let rest = &i[n..];
    if rest.as_bytes().first().is_some_and(|b| is_name_char(*b as char)) { None } else { Some(rest) }
}

/// `*SP`, leniently any ASCII whitespace.
fn spaces0(i: &str) -> &str {
    i.trim_start_matches(|c: char| c.is_ascii_whitespace())
}

/// `1*SP`, leniently any ASCII whitespace; `None` when there is none.
fn spaces1(i: &str) -> Option<&str> {
    let n = i.bytes().take_while(u8::is_ascii_whitespace).count();
    (n > 0).then(|| &i[n..])
}

fn is_name_char(c: char) -> bool {
    c.is_ascii_alphanumeric() || c == '-' || c == '_' || c == '$'
}

/// `compareOp = "eq" / "ne" / "co" / "sw" / "ew" / "gt" / "lt" / "ge" / "le"` (any case).
fn compare_op(i: &str) -> PResult<'_, CompareOp> {
    let b = i.as_bytes();
    let op = match (b.first().map(u8::to_ascii_lowercase), b.get(1).map(u8::to_ascii_lowercase)) {
        (Some(b'e'), Some(b'q')) => Some(CompareOp::Eq),
        (Some(b'n'), Some(b'e')) => Some(CompareOp::Ne),
        (Some(b'c'), Some(b'o')) => Some(CompareOp::Co),
        (Some(b's'), Some(b'w')) => Some(CompareOp::Sw),
        (Some(b'e'), Some(b'w')) => Some(CompareOp::Ew),
        (Some(b'g'), Some(b't')) => Some(CompareOp::Gt),
        (Some(b'l'), Some(b't')) => Some(CompareOp::Lt),
        (Some(b'g'), Some(b'e')) => Some(CompareOp::Ge),
        (Some(b'l'), Some(b'e')) => Some(CompareOp::Le),
        _ => None,
    };
    match op {
        Some(op) if !b.get(2).is_some_and(|c| is_name_char(*c as char)) => Ok((&i[2..], op)),
        _ => fail(i, "an operator (eq, ne, co, sw, ew, gt, lt, ge, le) or 'pr'"),
    }
}

/// `compValue = false / null / true / number / string`; lenient: also an unquoted word.
fn comp_value(i: &str, lenient: bool) -> PResult<'_, CompValue> {
    if i.starts_with('"') {
        let (r, s) = string(i)?;
        return Ok((r, CompValue::Str(s)));
    }
    for (w, v) in [("true", CompValue::Bool(true)), ("false", CompValue::Bool(false)), ("null", CompValue::Null)] {
        if let Some(rest) = word(i, w)
            && at_value_end(rest)
        {
            return Ok((rest, v));
        }
    }
    if let Ok((rest, n)) = number(i)
        && at_value_end(rest)
    {
        return Ok((rest, CompValue::Number(n)));
    }
    if lenient {
        let (rest, w) = take_while1::<_, _, PErr<'_>>(|c: char| !c.is_whitespace() && c != ')' && c != ']')
            .parse(i)
            .map_err(|_| nom::Err::Error(PErr { rest: i, expected: "a value" }))?;
        return Ok((rest, CompValue::Str(Text::from(w))));
    }
    fail(i, "a value: a quoted string, a number, true, false or null")
}

fn at_value_end(rest: &str) -> bool {
    rest.chars().next().is_none_or(|c| c.is_whitespace() || c == ')' || c == ']')
}

/// `number` (RFC 8259 §6): `[ minus ] int [ frac ] [ exp ]`.
fn number(i: &str) -> PResult<'_, serde_json::Number> {
    let b = i.as_bytes();
    let mut n = 0;
    if b.first() == Some(&b'-') {
        n += 1;
    }
    let digits = |from: usize| b[from..].iter().take_while(|c| c.is_ascii_digit()).count();
    let int = digits(n);
    if int == 0 || (int > 1 && b[n] == b'0') {
        return fail(i, "a number");
    }
    n += int;
    let mut integral = true;
    if b.get(n) == Some(&b'.') {
        let f = digits(n + 1);
        if f == 0 {
            return fail(&i[n + 1..], "digits after the decimal point");
        }
        n += 1 + f;
        integral = false;
    }
    if matches!(b.get(n), Some(b'e' | b'E')) {
        let mut m = n + 1;
        if matches!(b.get(m), Some(b'+' | b'-')) {
            m += 1;
        }
        let e = digits(m);
        if e == 0 {
            return fail(&i[m..], "digits in the exponent");
        }
        n = m + e;
        integral = false;
    }
    let text = &i[..n];
    let num = if integral { text.parse::<i64>().ok().map(serde_json::Number::from) } else { None }
        .or_else(|| text.parse::<f64>().ok().and_then(serde_json::Number::from_f64));
    match num {
        Some(v) => Ok((&i[n..], v)),
        None => fail(i, "a finite number"),
    }
}

/// `string` (RFC 8259 §7): a quoted JSON string with escapes.
fn string(i: &str) -> PResult<'_, Text> {
    let (body, _) = tag("\"").parse(i)?;
    let bytes = body.as_bytes();
    // Fast path: no escapes before the closing quote.
    let j = bytes.iter().position(|b| *b == b'"' || *b == b'\\' || *b < 0x20).unwrap_or(bytes.len());
    if bytes.get(j) == Some(&b'"') {
        return Ok((&body[j + 1..], Text::from(&body[..j])));
    }
    let mut out = Text::with_capacity(body.len());
    out.push_str(&body[..j]);
    let mut chars = body[j..].char_indices();
    while let Some((k, c)) = chars.next() {
        match c {
            '"' => return Ok((&body[j + k + 1..], out)),
            '\\' => {
                let Some((_, e)) = chars.next() else { break };
                match e {
                    '"' => out.push('"'),
                    '\\' => out.push('\\'),
                    '/' => out.push('/'),
                    'b' => out.push('\u{8}'),
                    'f' => out.push('\u{c}'),
                    'n' => out.push('\n'),
                    'r' => out.push('\r'),
                    't' => out.push('\t'),
                    'u' => {
                        let hex = |chars: &mut std::str::CharIndices<'_>| -> Option<u32> {
                            let mut v = 0;
                            for _ in 0..4 {
                                v = v * 16 + chars.next()?.1.to_digit(16)?;
                            }
                            Some(v)
                        };
                        let bad = || nom::Err::Failure(PErr { rest: &body[j + k..], expected: "a valid \\u escape" });
                        let hi = hex(&mut chars).ok_or_else(bad)?;
                        let cp = if (0xD800..0xDC00).contains(&hi) {
                            let (_, b1) = chars.next().ok_or_else(bad)?;
                            let (_, b2) = chars.next().ok_or_else(bad)?;
                            let lo = if b1 == '\\' && b2 == 'u' { hex(&mut chars) } else { None }.ok_or_else(bad)?;
                            if !(0xDC00..0xE000).contains(&lo) {
                                return Err(bad());
                            }
                            0x10000 + ((hi - 0xD800) << 10) + (lo - 0xDC00)
                        } else {
                            hi
                        };
                        out.push(char::from_u32(cp).ok_or_else(bad)?);
                    }
                    _ => return Err(nom::Err::Failure(PErr { rest: &body[j + k..], expected: "a valid escape" })),
                }
            }
            c if (c as u32) < 0x20 => {
                return Err(nom::Err::Failure(PErr { rest: &body[j + k..], expected: "no control characters" }));
            }
            c => out.push(c),
        }
    }
    Err(nom::Err::Failure(PErr { rest: "", expected: "a closing '\"'" }))
}

/// `attrPath = [URI ":"] ATTRNAME *1subAttr`
///
/// A URI prefix is recognised by `urn:`; it may contain dots (`...:enterprise:2.0:User`), so
/// the whole run of URN characters is taken and split at its last `:`.
pub fn attr_path(i: &str) -> PResult<'_, AttrPath> {
    let is_urn = i.get(..4).is_some_and(|p| p.eq_ignore_ascii_case("urn:"));
    if is_urn {
        let (rest, run) =
            take_while1(|c: char| c.is_ascii_alphanumeric() || matches!(c, ':' | '.' | '-' | '_' | '$' | '%'))
                .parse(i)?;
        let Some(colon) = run.rfind(':') else { return fail(i, "an attribute name after the URN") };
        let (urn, names) = (&run[..colon], &run[colon + 1..]);
        let (after, (attr, sub)) = names_of(names).map_err(|_| {
            nom::Err::Error(PErr { rest: &i[colon + 1..], expected: "an attribute name after the URN" })
        })?;
        if !after.is_empty() {
            return fail(&i[i.len() - rest.len() - after.len()..], "an attribute name");
        }
        return Ok((rest, AttrPath { urn: Some(Text::from(urn)), attr: Text::from(attr), sub: sub.map(Text::from) }));
    }
    let (rest, (attr, sub)) = names_of(i)?;
    Ok((rest, AttrPath { urn: None, attr: Text::from(attr), sub: sub.map(Text::from) }))
}

/// `ATTRNAME *1subAttr`
fn names_of(i: &str) -> PResult<'_, (&str, Option<&str>)> {
    let (i, attr) = attr_name(i)?;
    match i.strip_prefix('.') {
        Some(after) => {
            let (r, sub) = sub_attr(after)?;
            Ok((r, (attr, Some(sub))))
        }
        None => Ok((i, (attr, None))),
    }
}

/// `subAttr = "." ATTRNAME` (after the dot).
fn sub_attr(i: &str) -> PResult<'_, &str> {
    expect(attr_name, "a sub-attribute name after '.'").parse(i)
}

/// `ATTRNAME = ALPHA *(nameChar)`, `nameChar = "-" / "_" / DIGIT / ALPHA`; `$ref` is allowed.
fn attr_name(i: &str) -> PResult<'_, &str> {
    let first = i.chars().next();
    if !first.is_some_and(|c| c.is_ascii_alphabetic() || c == '$') {
        return fail(i, "an attribute name");
    }
    let n = 1 + i.as_bytes()[1..].iter().take_while(|b| is_name_char(**b as char)).count();
    Ok((&i[n..], &i[..n]))
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn the_whole_benchmark_corpus_parses_and_round_trips() {
        // The full corpus when shared/ is beside the checkout, else every 20th line of it (committed).
        let full = concat!(env!("CARGO_MANIFEST_DIR"), "/../shared/bench/filters.txt");
        let sample = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/filter/corpus-sample.txt");
        let text = std::fs::read_to_string(full).or_else(|_| std::fs::read_to_string(sample)).expect("a filter corpus");
        assert!(text.lines().count() >= 500);
        for line in text.lines().filter(|l| !l.is_empty()) {
            let f = parse_with(line, Limits { lenient: false, ..Limits::default() })
                .unwrap_or_else(|e| panic!("{line}: {e}"));
            let printed = f.to_string();
            assert_eq!(parse(&printed).unwrap(), f, "{line} printed as {printed}");
        }
    }
}
