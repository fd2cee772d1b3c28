//! Permission patterns: a small regular-expression matcher for the part of PCRE that people
//! write in RabbitMQ's configure / write / read permissions.
//!
//! RabbitMQ checks a permission with `re:run(Name, Pattern, [{capture, none}])`: Erlang's PCRE,
//! without the `unicode` option, so pattern and name are both **bytes**. This module does the
//! same. It replaces a general regex crate (`regex-lite`, now only the reference engine of the
//! differential test below) that cost the page ≈ 30 KB of wasm, for a feature that needs only
//! "does this pattern match anywhere in this name".
//!
//! # How it works
//!
//! A pattern is parsed into a small syntax tree ([`Node`]), compiled into a program of byte-set
//! tests, jumps and assertions ([`Inst`]), and run as a Pike VM: Thompson's NFA simulation,
//! which keeps the *set* of program positions that are alive after each byte of the name. Each
//! position is visited at most once per byte, so a match costs at most
//! `name length × program length` steps, whatever the pattern. (The rejected alternative,
//! backtracking, is what makes `(a*)*b` take exponential time on `aaaa…`.) Only "is there a
//! match" is answered, so greedy and lazy quantifiers are the same thing here.
//!
//! # The subset
//!
//! ```text
//! literals        any byte that is not a metacharacter; `\` + punctuation is that punctuation
//! .               any byte but \n
//! escapes         \d \w \s \D \W \S (ASCII, as PCRE's default tables), \n \t \r \f \a \e,
//!                 \xhh and \x{hh} (one byte)
//! classes         [abc] [a-z] [^...] []...] [a-] with the escapes above and [:alpha:]-style names
//! anchors         ^ \A (start), $ \Z (end, or before a final \n), \z (very end), \b \B
//! groups          (...) (?:...) (?<name>...) (?P<name>...), alternation |
//! quantifiers     * + ? {n} {n,} {n,m}, each optionally lazy (*? +? ?? {n,m}?)
//! ```
//!
//! Anything else is an error, and an erroneous pattern grants nothing: backreferences,
//! lookaround, inline flags (`(?i)`), possessive quantifiers (`a*+`, which *do* change whether
//! a pattern matches), `\Q…\E`, `\p{…}`, POSIX collating elements, `{,n}` (its meaning differs
//! between PCRE versions), a quantifier on an assertion, and programs over [`MAX_PROGRAM`]
//! steps. As in PCRE, `{` that does not start a quantifier is a literal.

/// The largest compiled program accepted: bounds the memory and time of one check
/// (`^[a-z0-9-]{1,255}$` needs about 520 steps).
pub(crate) const MAX_PROGRAM: usize = 10_000;

/// PCRE's default limit on nested parentheses; it also bounds the parser's recursion.
const MAX_NESTING: u32 = 250;

/// PCRE's largest repetition count.
const MAX_REPEAT: u32 = 65_535;

/// Why a pattern was refused.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub(crate) enum PatternError {
    /// A `(` without its `)`, or a `)` without its `(`.
    UnbalancedParens,
    /// A `[` without its `]`.
    UnclosedClass,
    /// A range whose ends are out of order or not single bytes (`[z-a]`, `[a-\d]`).
    BadRange,
    /// A quantifier with nothing (or an assertion, or another quantifier) before it.
    NothingToRepeat,
    /// `{n,m}` with `n > m`, or a count above 65 535.
    BadRepeat,
    /// A `\` at the very end.
    TrailingBackslash,
    /// Valid PCRE this matcher does not implement (backreferences, lookaround, flags, …).
    Unsupported,
    /// Nested too deeply, or compiling to more than [`MAX_PROGRAM`] steps.
    TooLarge,
}

/// A compiled permission pattern.
#[derive(Debug)]
pub(crate) struct Pattern {
    program: Vec<Inst>,
}

impl Pattern {
    /// Parses and compiles `pattern`.
    pub(crate) fn new(pattern: &str) -> Result<Self, PatternError> {
        let mut parser = Parser {
            pattern: pattern.as_bytes(),
            pos: 0,
            depth: 0,
        };
        let tree = parser.alternation()?;
        if parser.pos < parser.pattern.len() {
            // `alternation` stops early only at a `)` that opened nowhere.
            return Err(PatternError::UnbalancedParens);
        }
        let mut program = Vec::new();
        compile(&tree, &mut program)?;
        push(&mut program, Inst::Match)?;
        Ok(Pattern { program })
    }

    /// Whether the pattern matches anywhere in `name` (an unanchored search, as `re:run`).
    pub(crate) fn is_match(&self, name: &str) -> bool {
        let hay = name.as_bytes();
        let mut now = States::new(self.program.len());
        let mut next = States::new(self.program.len());
        let mut stack = Vec::new();
        for at in 0..=hay.len() {
            // The unanchored search: a fresh thread starts at every position, as if the
            // pattern began with `.*?`.
            if self.follow(&mut now, &mut stack, 0, hay, at) {
                return true;
            }
            let Some(&byte) = hay.get(at) else { break };
            for &pc in &now.dense[..now.len] {
                if let Inst::Set(set) = &self.program[pc] {
                    if set.contains(byte) && self.follow(&mut next, &mut stack, pc + 1, hay, at + 1)
                    {
                        return true;
                    }
                }
            }
            std::mem::swap(&mut now, &mut next);
            next.clear();
        }
        false
    }

    /// Adds `pc` and every position reachable from it without consuming a byte (jumps, splits,
    /// assertions that hold at `at`) to `states`; true as soon as that reaches `Match`.
    fn follow(
        &self,
        states: &mut States,
        stack: &mut Vec<usize>,
        pc: usize,
        hay: &[u8],
        at: usize,
    ) -> bool {
        stack.push(pc);
        while let Some(pc) = stack.pop() {
            if !states.insert(pc) {
                continue;
            }
            match &self.program[pc] {
                Inst::Set(_) => {}
                Inst::Match => {
                    stack.clear();
                    return true;
                }
                Inst::Jump(to) => stack.push(*to),
                Inst::Split(first, second) => {
                    stack.push(*second);
                    stack.push(*first);
                }
                Inst::Look(look) => {
                    if look.holds(hay, at) {
                        stack.push(pc + 1);
                    }
                }
            }
        }
        false
    }
}

/// A set of bytes, one bit each.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
struct ByteSet([u64; 4]);

impl ByteSet {
    const EMPTY: ByteSet = ByteSet([0; 4]);

    fn of(member: impl Fn(u8) -> bool) -> ByteSet {
        let mut set = ByteSet::EMPTY;
        for b in 0..=u8::MAX {
            if member(b) {
                set.insert(b);
            }
        }
        set
    }

    fn byte(b: u8) -> ByteSet {
        let mut set = ByteSet::EMPTY;
        set.insert(b);
        set
    }

    fn contains(&self, b: u8) -> bool {
        self.0[usize::from(b >> 6)] >> (b & 63) & 1 == 1
    }

    fn insert(&mut self, b: u8) {
        self.0[usize::from(b >> 6)] |= 1 << (b & 63);
    }

    fn insert_range(&mut self, lo: u8, hi: u8) {
        for b in lo..=hi {
            self.insert(b);
        }
    }

    fn union(&mut self, other: &ByteSet) {
        for (word, other) in self.0.iter_mut().zip(other.0) {
            *word |= other;
        }
    }

    fn negated(mut self) -> ByteSet {
        for word in &mut self.0 {
            *word = !*word;
        }
        self
    }
}

/// PCRE's `\w` with its default ("C" locale) tables.
fn is_word(b: u8) -> bool {
    b.is_ascii_alphanumeric() || b == b'_'
}

/// PCRE's `\s`: space, \t, \n, \v (0x0B), \f, \r. (`u8::is_ascii_whitespace` omits 0x0B.)
fn is_space(b: u8) -> bool {
    matches!(b, b' ' | b'\t' | b'\n' | 0x0B | 0x0C | b'\r')
}

/// A zero-width assertion.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
enum Look {
    /// `^`, `\A`.
    Start,
    /// `$`, `\Z`: the end, or just before a `\n` that ends the name (PCRE's default, no
    /// `dollar_endonly`).
    End,
    /// `\z`: the very end.
    EndOfName,
    /// `\b`.
    WordBoundary,
    /// `\B`.
    NotWordBoundary,
}

impl Look {
    fn holds(self, hay: &[u8], at: usize) -> bool {
        let word_before = at > 0 && hay.get(at - 1).is_some_and(|&b| is_word(b));
        let word_after = hay.get(at).is_some_and(|&b| is_word(b));
        match self {
            Look::Start => at == 0,
            Look::End => at == hay.len() || (at + 1 == hay.len() && hay[at] == b'\n'),
            Look::EndOfName => at == hay.len(),
            Look::WordBoundary => word_before != word_after,
            Look::NotWordBoundary => word_before == word_after,
        }
    }
}

/// The parsed pattern. Capturing groups leave no trace: only whether a match exists matters.
#[derive(Debug)]
enum Node {
    Empty,
    /// One byte from the set (a literal is a set of one).
    Set(ByteSet),
    Look(Look),
    Concat(Vec<Node>),
    Alternation(Vec<Node>),
    /// `max: None` is unbounded.
    Repeat {
        node: Box<Node>,
        min: u32,
        max: Option<u32>,
    },
}

/// One step of the compiled program. Positions are indexes into the program.
#[derive(Debug)]
enum Inst {
    /// Consume one byte if it is in the set, then go on at the next position.
    Set(ByteSet),
    /// Go on at the next position if the assertion holds here.
    Look(Look),
    Jump(usize),
    /// Go on at both positions.
    Split(usize, usize),
    Match,
}

/// One item inside (or, as a set of one, outside) a character class.
enum Item {
    Byte(u8),
    Set(ByteSet),
}

struct Parser<'p> {
    pattern: &'p [u8],
    pos: usize,
    depth: u32,
}

impl Parser<'_> {
    fn peek(&self) -> Option<u8> {
        self.pattern.get(self.pos).copied()
    }

    fn peek_at(&self, ahead: usize) -> Option<u8> {
        self.pattern.get(self.pos + ahead).copied()
    }

    fn eat(&mut self, b: u8) -> bool {
        let found = self.peek() == Some(b);
        if found {
            self.pos += 1;
        }
        found
    }

    fn next_byte(&mut self) -> Option<u8> {
        let b = self.peek()?;
        self.pos += 1;
        Some(b)
    }

    /// `branch ('|' branch)*`, up to the end or an unconsumed `)`.
    fn alternation(&mut self) -> Result<Node, PatternError> {
        let mut branches = vec![self.concat()?];
        while self.eat(b'|') {
            branches.push(self.concat()?);
        }
        Ok(if branches.len() == 1 {
            branches.swap_remove(0)
        } else {
            Node::Alternation(branches)
        })
    }

    /// Quantified atoms up to the end, a `|` or a `)`.
    fn concat(&mut self) -> Result<Node, PatternError> {
        let mut items = Vec::new();
        while let Some(b) = self.peek() {
            let atom = match b {
                b'|' | b')' => break,
                b'*' | b'+' | b'?' => return Err(PatternError::NothingToRepeat),
                b'{' if self.brace_quantifier()?.is_some() => {
                    return Err(PatternError::NothingToRepeat)
                }
                b'(' => self.group()?,
                b'[' => Node::Set(self.class()?),
                b'.' => {
                    self.pos += 1;
                    Node::Set(ByteSet::of(|b| b != b'\n'))
                }
                b'^' => {
                    self.pos += 1;
                    Node::Look(Look::Start)
                }
                b'$' => {
                    self.pos += 1;
                    Node::Look(Look::End)
                }
                b'\\' => self.escape_outside_class()?,
                _ => {
                    self.pos += 1;
                    Node::Set(ByteSet::byte(b))
                }
            };
            // PCRE refuses `^*` and friends; a group around an assertion may be repeated.
            let bare_assertion = b != b'(' && matches!(atom, Node::Look(_));
            items.push(self.quantified(atom, bare_assertion)?);
        }
        Ok(match items.len() {
            0 => Node::Empty,
            1 => items.swap_remove(0),
            _ => Node::Concat(items),
        })
    }

    /// `atom` with the quantifier that follows it, if any.
    fn quantified(&mut self, atom: Node, bare_assertion: bool) -> Result<Node, PatternError> {
        let (min, max) = match self.peek() {
            Some(b'*') => (0, None),
            Some(b'+') => (1, None),
            Some(b'?') => (0, Some(1)),
            Some(b'{') => match self.brace_quantifier()? {
                Some((min, max, len)) => {
                    self.pos += len - 1;
                    (min, max)
                }
                None => return Ok(atom),
            },
            _ => return Ok(atom),
        };
        self.pos += 1;
        if bare_assertion {
            return Err(PatternError::NothingToRepeat);
        }
        // A lazy quantifier finds a match exactly when the greedy one does.
        self.eat(b'?');
        match self.peek() {
            // Possessive: `a*+a` never matches, so it cannot be treated as greedy.
            Some(b'+') => return Err(PatternError::Unsupported),
            Some(b'*' | b'?') => return Err(PatternError::NothingToRepeat),
            Some(b'{') if self.brace_quantifier()?.is_some() => {
                return Err(PatternError::NothingToRepeat)
            }
            _ => {}
        }
        Ok(Node::Repeat {
            node: Box::new(atom),
            min,
            max,
        })
    }

    /// If a `{n}`, `{n,}` or `{n,m}` quantifier starts here: `(min, max, its length)`. Any other
    /// `{` is a literal (PCRE), except `{,m}`, which PCRE2 10.43 reads as `{0,m}` and older
    /// versions as a literal.
    fn brace_quantifier(&self) -> Result<Option<(u32, Option<u32>, usize)>, PatternError> {
        let rest = &self.pattern[self.pos..];
        let Some(close) = rest.iter().position(|&b| b == b'}') else {
            return Ok(None);
        };
        let inside = &rest[1..close];
        let number = |digits: &[u8]| -> Result<Option<u32>, PatternError> {
            if digits.is_empty() || !digits.iter().all(u8::is_ascii_digit) {
                return Ok(None);
            }
            let mut n: u32 = 0;
            for &d in digits {
                n = n * 10 + u32::from(d - b'0');
                if n > MAX_REPEAT {
                    return Err(PatternError::BadRepeat);
                }
            }
            Ok(Some(n))
        };
        let (min, max) = match inside.iter().position(|&b| b == b',') {
            None => match number(inside)? {
                Some(n) => (n, Some(n)),
                None => return Ok(None),
            },
            Some(comma) => {
                let (low, high) = (&inside[..comma], &inside[comma + 1..]);
                if low.is_empty() {
                    return match number(high)? {
                        Some(_) => Err(PatternError::Unsupported),
                        None => Ok(None),
                    };
                }
                let Some(min) = number(low)? else {
                    return Ok(None);
                };
                if high.is_empty() {
                    (min, None)
                } else {
                    match number(high)? {
                        Some(max) if max < min => return Err(PatternError::BadRepeat),
                        Some(max) => (min, Some(max)),
                        None => return Ok(None),
                    }
                }
            }
        };
        Ok(Some((min, max, close + 1)))
    }

    /// `(...)`, `(?:...)`, `(?<name>...)`, `(?P<name>...)`.
    fn group(&mut self) -> Result<Node, PatternError> {
        self.pos += 1; // `(`
        if self.peek() == Some(b'*') {
            // `(*VERB)` / `(*UTF)`; in PCRE a quantifier right after `(` is an error anyway.
            return Err(PatternError::Unsupported);
        }
        if self.eat(b'?') && !self.eat(b':') {
            // Only a named group is left: `(?<name>` or `(?P<name>`.
            self.eat(b'P');
            let name_starts = |b: u8| b.is_ascii_alphabetic() || b == b'_';
            if !self.eat(b'<') || !self.peek().is_some_and(name_starts) {
                // Lookaround, flags, comments, atomic groups, recursion, conditionals.
                return Err(PatternError::Unsupported);
            }
            while self.peek().is_some_and(is_word) {
                self.pos += 1;
            }
            if !self.eat(b'>') {
                return Err(PatternError::Unsupported);
            }
        }
        self.depth += 1;
        if self.depth > MAX_NESTING {
            return Err(PatternError::TooLarge);
        }
        let inner = self.alternation()?;
        self.depth -= 1;
        if !self.eat(b')') {
            return Err(PatternError::UnbalancedParens);
        }
        Ok(inner)
    }

    /// A `\` sequence outside a class: an assertion or one byte from a set.
    fn escape_outside_class(&mut self) -> Result<Node, PatternError> {
        self.pos += 1; // `\`
        let look = match self.peek() {
            Some(b'b') => Look::WordBoundary,
            Some(b'B') => Look::NotWordBoundary,
            Some(b'A') => Look::Start,
            Some(b'Z') => Look::End,
            Some(b'z') => Look::EndOfName,
            _ => {
                return Ok(match self.escape()? {
                    Item::Byte(b) => Node::Set(ByteSet::byte(b)),
                    Item::Set(set) => Node::Set(set),
                })
            }
        };
        self.pos += 1;
        Ok(Node::Look(look))
    }

    /// The escape after a `\` that means a byte or a set of bytes, inside or outside a class.
    fn escape(&mut self) -> Result<Item, PatternError> {
        let b = self.next_byte().ok_or(PatternError::TrailingBackslash)?;
        Ok(match b {
            b'd' => Item::Set(ByteSet::of(|b| b.is_ascii_digit())),
            b'D' => Item::Set(ByteSet::of(|b| !b.is_ascii_digit())),
            b'w' => Item::Set(ByteSet::of(is_word)),
            b'W' => Item::Set(ByteSet::of(|b| !is_word(b))),
            b's' => Item::Set(ByteSet::of(is_space)),
            b'S' => Item::Set(ByteSet::of(|b| !is_space(b))),
            b'n' => Item::Byte(b'\n'),
            b't' => Item::Byte(b'\t'),
            b'r' => Item::Byte(b'\r'),
            b'f' => Item::Byte(0x0C),
            b'a' => Item::Byte(0x07),
            b'e' => Item::Byte(0x1B),
            b'x' => Item::Byte(self.hex()?),
            // Backslash and punctuation (or any byte that is not a letter or digit) is literal.
            b if !b.is_ascii_alphanumeric() => Item::Byte(b),
            // Backreferences, octal, \p, \Q…\E, \h, \v, \R, \K, \G, … and unknown letters.
            _ => return Err(PatternError::Unsupported),
        })
    }

    /// After `\x`: exactly two hex digits, or `{h…}` naming one byte.
    fn hex(&mut self) -> Result<u8, PatternError> {
        let digit = |b: Option<u8>| b.and_then(|b| char::from(b).to_digit(16));
        if self.eat(b'{') {
            let mut value: u32 = 0;
            let mut digits = 0;
            while let Some(d) = digit(self.peek()) {
                self.pos += 1;
                digits += 1;
                value = value * 16 + d;
                if value > 0xFF {
                    // Not one byte: PCRE without UTF refuses it too.
                    return Err(PatternError::Unsupported);
                }
            }
            if digits == 0 || !self.eat(b'}') {
                return Err(PatternError::Unsupported);
            }
            return u8::try_from(value).map_err(|_| PatternError::Unsupported);
        }
        match (digit(self.peek()), digit(self.peek_at(1))) {
            (Some(high), Some(low)) => {
                self.pos += 2;
                u8::try_from(high * 16 + low).map_err(|_| PatternError::Unsupported)
            }
            // PCRE reads `\x` with fewer digits as shorter numbers; too odd to guess at.
            _ => Err(PatternError::Unsupported),
        }
    }

    /// `[...]`. A `]` right after `[` or `[^` is a literal; a `-` first, last or after a range
    /// is a literal.
    fn class(&mut self) -> Result<ByteSet, PatternError> {
        self.pos += 1; // `[`
        let negate = self.eat(b'^');
        let mut set = ByteSet::EMPTY;
        let mut first = true;
        loop {
            match self.peek() {
                None => return Err(PatternError::UnclosedClass),
                Some(b']') if !first => {
                    self.pos += 1;
                    break;
                }
                _ => {}
            }
            first = false;
            let range_follows =
                |p: &Self| p.peek() == Some(b'-') && p.peek_at(1).is_some_and(|b| b != b']');
            match self.class_item()? {
                Item::Set(items) => {
                    if range_follows(self) {
                        // `[\d-z]`: PCRE2 refuses it, PCRE1 reads a literal `-`.
                        return Err(PatternError::BadRange);
                    }
                    set.union(&items);
                }
                Item::Byte(lo) if range_follows(self) => {
                    self.pos += 1; // `-`
                    match self.class_item()? {
                        Item::Byte(hi) if lo <= hi => set.insert_range(lo, hi),
                        _ => return Err(PatternError::BadRange),
                    }
                }
                Item::Byte(b) => set.insert(b),
            }
        }
        Ok(if negate { set.negated() } else { set })
    }

    fn class_item(&mut self) -> Result<Item, PatternError> {
        let b = self.next_byte().ok_or(PatternError::UnclosedClass)?;
        match b {
            b'\\' => {
                if self.peek() == Some(b'b') {
                    // Backspace inside a class in PCRE; nobody means that in a name pattern.
                    return Err(PatternError::Unsupported);
                }
                self.escape()
            }
            b'[' if matches!(self.peek(), Some(b':' | b'.' | b'=')) => self.posix_class(),
            _ => Ok(Item::Byte(b)),
        }
    }

    /// After the `[` of `[:name:]` or `[:^name:]` inside a class.
    fn posix_class(&mut self) -> Result<Item, PatternError> {
        if !self.eat(b':') {
            // `[.x.]` and `[=x=]`: collating elements, which PCRE refuses too.
            return Err(PatternError::Unsupported);
        }
        let negate = self.eat(b'^');
        let start = self.pos;
        while self.peek().is_some_and(|b| b.is_ascii_lowercase()) {
            self.pos += 1;
        }
        let name = &self.pattern[start..self.pos];
        if !(self.eat(b':') && self.eat(b']')) {
            return Err(PatternError::Unsupported);
        }
        let member: fn(u8) -> bool = match name {
            b"alnum" => |b| b.is_ascii_alphanumeric(),
            b"alpha" => |b| b.is_ascii_alphabetic(),
            b"ascii" => |b| b.is_ascii(),
            b"blank" => |b| b == b' ' || b == b'\t',
            b"cntrl" => |b| b.is_ascii_control(),
            b"digit" => |b| b.is_ascii_digit(),
            b"graph" => |b| b.is_ascii_graphic(),
            b"lower" => |b| b.is_ascii_lowercase(),
            b"print" => |b| b.is_ascii_graphic() || b == b' ',
            b"punct" => |b| b.is_ascii_punctuation(),
            b"space" => is_space,
            b"upper" => |b| b.is_ascii_uppercase(),
            b"word" => is_word,
            b"xdigit" => |b| b.is_ascii_hexdigit(),
            _ => return Err(PatternError::Unsupported),
        };
        let set = ByteSet::of(member);
        Ok(Item::Set(if negate { set.negated() } else { set }))
    }
}

/// Appends one instruction, refusing programs over [`MAX_PROGRAM`].
fn push(program: &mut Vec<Inst>, inst: Inst) -> Result<usize, PatternError> {
    if program.len() >= MAX_PROGRAM {
        return Err(PatternError::TooLarge);
    }
    program.push(inst);
    Ok(program.len() - 1)
}

/// Compiles `node` at the end of `program`, Thompson-style:
///
/// ```text
/// a|b|c      split L1 L2; L1: a; jump END; L2: split L3 L4; L3: b; jump END; L4: c; END:
/// x{2,}      x; x; L: split L+1 END; x; jump L; END:
/// x{1,3}     x; split L1 END; L1: x; split L2 END; L2: x; END:
/// ```
fn compile(node: &Node, program: &mut Vec<Inst>) -> Result<(), PatternError> {
    match node {
        Node::Empty => {}
        Node::Set(set) => {
            push(program, Inst::Set(*set))?;
        }
        Node::Look(look) => {
            push(program, Inst::Look(*look))?;
        }
        Node::Concat(nodes) => {
            for node in nodes {
                compile(node, program)?;
            }
        }
        Node::Alternation(branches) => {
            let mut jumps = Vec::with_capacity(branches.len());
            let last = branches.len().saturating_sub(1);
            for (i, branch) in branches.iter().enumerate() {
                if i == last {
                    compile(branch, program)?;
                } else {
                    let split = push(program, Inst::Split(0, 0))?;
                    compile(branch, program)?;
                    jumps.push(push(program, Inst::Jump(0))?);
                    program[split] = Inst::Split(split + 1, program.len());
                }
            }
            let end = program.len();
            for jump in jumps {
                program[jump] = Inst::Jump(end);
            }
        }
        Node::Repeat { node, min, max } => {
            if emits_nothing(node) {
                // Repeating something that compiles to nothing (`(){9999}`) is nothing; stop
                // here, since the loops below would not grow the program to hit the limit.
                return Ok(());
            }
            for _ in 0..*min {
                compile(node, program)?;
            }
            match max {
                None => {
                    let split = push(program, Inst::Split(0, 0))?;
                    compile(node, program)?;
                    push(program, Inst::Jump(split))?;
                    program[split] = Inst::Split(split + 1, program.len());
                }
                Some(max) => {
                    let mut splits = Vec::new();
                    for _ in *min..*max {
                        splits.push(push(program, Inst::Split(0, 0))?);
                        compile(node, program)?;
                    }
                    let end = program.len();
                    for split in splits {
                        program[split] = Inst::Split(split + 1, end);
                    }
                }
            }
        }
    }
    Ok(())
}

/// Whether `node` compiles to no instructions at all (it can only match the empty string, and
/// without any test).
fn emits_nothing(node: &Node) -> bool {
    match node {
        Node::Empty => true,
        Node::Set(_) | Node::Look(_) | Node::Alternation(_) => false,
        Node::Concat(nodes) => nodes.iter().all(emits_nothing),
        Node::Repeat { node, min, max } => emits_nothing(node) || (*min == 0 && *max == Some(0)),
    }
}

/// A set of program positions with O(1) insert, membership and clear (Briggs & Torczon's
/// sparse set), in insertion order.
struct States {
    dense: Vec<usize>,
    sparse: Vec<usize>,
    len: usize,
}

impl States {
    fn new(size: usize) -> States {
        States {
            dense: vec![0; size],
            sparse: vec![0; size],
            len: 0,
        }
    }

    /// False if `pc` was already in.
    fn insert(&mut self, pc: usize) -> bool {
        let i = self.sparse[pc];
        if i < self.len && self.dense[i] == pc {
            return false;
        }
        self.dense[self.len] = pc;
        self.sparse[pc] = self.len;
        self.len += 1;
        true
    }

    fn clear(&mut self) {
        self.len = 0;
    }
}

#[cfg(test)]
mod tests {
    use super::{Pattern, PatternError, MAX_PROGRAM};
    use proptest::prelude::*;

    fn matches(pattern: &str, name: &str) -> bool {
        match Pattern::new(pattern) {
            Ok(p) => p.is_match(name),
            Err(e) => panic!("{pattern:?} refused: {e:?}"),
        }
    }

    /// Rows of (pattern, name, matches?).
    fn check(rows: &[(&str, &str, bool)]) {
        for &(pattern, name, want) in rows {
            assert_eq!(matches(pattern, name), want, "{pattern:?} on {name:?}");
        }
    }

    #[test]
    fn literals_are_found_anywhere() {
        check(&[
            ("logs", "app-logs-1", true),
            ("logs", "log", false),
            ("a", "", false),
            ("amq.gen", "amq.gen-1", true),
            ("amq.gen", "amqXgen", true), // `.` is any byte
            ("amq\\.gen", "amqXgen", false),
            ("amq\\.gen", "x.amq.gen", true),
            ("a b#", "xa b#", true), // no extended mode: space and `#` are literals
            ("ü", "grüße", true),    // multi-byte literals are byte sequences
            ("}", "a}", true),
            ("]", "a]", true),
        ]);
    }

    #[test]
    fn dot_is_any_byte_but_newline() {
        check(&[
            ("^.$", "x", true),
            ("^.$", "\n", false),
            ("^.$", "\t", true),
            ("a.c", "a\nc", false),
            // Bytes, not characters (Erlang `re` without `unicode`): `é` is two bytes.
            ("^.$", "é", false),
            ("^..$", "é", true),
        ]);
    }

    #[test]
    fn escapes() {
        check(&[
            ("\\\\", "a\\b", true),
            ("\\\\", "ab", false),
            ("^\\d+$", "2026", true),
            ("^\\d+$", "20x6", false),
            ("^\\w+$", "user_1", true),
            ("^\\w+$", "user-1", false),
            ("^\\w$", "é", false), // ASCII only, as PCRE's default tables
            ("\\s", "a b", true),
            ("\\s", "a\u{b}b", true), // PCRE counts VT as space
            ("\\s", "ab", false),
            ("^\\D$", "x", true),
            ("^\\D$", "7", false),
            ("^\\W$", "-", true),
            ("^\\W$", "_", false),
            ("^\\S+$", "a-b", true),
            ("^\\S+$", "a b", false),
            (
                "\\*\\+\\?\\(\\)\\[\\]\\{\\}\\|\\^\\$\\.\\-\\/",
                "*+?()[]{}|^$.-/",
                true,
            ),
            ("^a\\tb\\n$", "a\tb\n", true),
            ("^\\x41\\x{62}$", "Ab", true),
            ("\\r\\f\\a\\e", "\r\u{c}\u{7}\u{1b}", true),
        ]);
    }

    #[test]
    fn classes() {
        check(&[
            ("^[abc]+$", "cab", true),
            ("^[abc]+$", "cad", false),
            ("^[a-z0-9]+$", "q42", true),
            ("^[a-z0-9]+$", "Q42", false),
            ("^[^a-z]+$", "Q42", true),
            ("^[^a-z]+$", "q42", false),
            ("^[^a]$", "\n", true), // a negated class matches \n, unlike `.`
            ("^[]a]+$", "]a", true),
            ("^[^]a]$", "]", false),
            ("^[a-]+$", "-a-", true),
            ("^[-a]+$", "-a-", true),
            ("^[a\\-z]+$", "a-z", true),
            ("^[a\\-z]+$", "b", false),
            ("^[\\d_]+$", "4_2", true),
            ("^[\\w.]+$", "amq.gen", true),
            ("^[^\\s]+$", "a b", false),
            ("^[.]$", "x", false),
            ("^[\\]]$", "]", true),
            ("^[\\\\]$", "\\", true),
            ("^[[]$", "[", true),
            ("^[\\x00-\\x1f]$", "\t", true),
            ("^[[:alpha:]]+$", "abC", true),
            ("^[[:alpha:]]+$", "ab1", false),
            ("^[[:digit:]x]+$", "1x2", true),
            ("^[[:^digit:]]+$", "ab", true),
            ("^[[:^digit:]]+$", "a1", false),
            ("^[[:punct:][:space:]]+$", ".- ", true),
            ("^[a-c-e]+$", "a-e", true), // `-` after a range is a literal
            ("^[a-c-e]+$", "d", false),
        ]);
    }

    #[test]
    fn anchors() {
        check(&[
            ("^amq\\.", "amq.gen", true),
            ("^amq\\.", "x.amq.gen", false),
            ("gen$", "amq.gen", true),
            ("gen$", "amq.gen-1", false),
            ("^logs$", "logs", true),
            ("^logs$", "app-logs", false),
            ("^$", "", true),
            ("^$", "x", false),
            // PCRE's `$` (and `\Z`) also match before a final newline; `\z` does not.
            ("^logs$", "logs\n", true),
            ("^logs\\Z", "logs\n", true),
            ("^logs\\z", "logs\n", false),
            ("^logs$", "logs\n\n", false),
            ("\\Alogs\\z", "logs", true),
            ("a^b", "a^b", false),
            ("\\bgen\\b", "amq.gen-1", true),
            ("\\bgen\\b", "amq.gen1", false),
            ("\\Bgen", "amqgen", true),
            ("\\Bgen", "amq.gen", false),
        ]);
    }

    #[test]
    fn groups_and_alternation() {
        check(&[
            ("^(logs|events)\\.", "events.x", true),
            ("^(logs|events)\\.", "metrics.x", false),
            ("^(?:logs|events)$", "logs", true),
            ("^(?<kind>logs|events)$", "events", true),
            ("^(?P<kind>logs)$", "logs", true),
            ("^logs|events$", "x-events", true), // anchors bind to their branch
            ("^logs|events$", "x-logs", false),
            ("^(a|)$", "", true),
            ("()", "anything", true),
            ("|", "anything", true),
            ("^(a(b(c|d))+)$", "abcbd", true),
            ("^(a(b(c|d))+)$", "abcb", false),
        ]);
    }

    #[test]
    fn quantifiers() {
        check(&[
            ("^a*$", "", true),
            ("^a*$", "aaa", true),
            ("^a+$", "", false),
            ("^a+$", "aa", true),
            ("^ab?c$", "ac", true),
            ("^ab?c$", "abbc", false),
            ("^a{3}$", "aaa", true),
            ("^a{3}$", "aa", false),
            ("^a{2,}$", "aaaaa", true),
            ("^a{2,}$", "a", false),
            ("^a{1,2}$", "aa", true),
            ("^a{1,2}$", "aaa", false),
            ("^a{0,1}b{0}$", "a", true),
            ("^(ab){2}$", "abab", true),
            ("^(ab){2}$", "aab", false),
            ("^a*?b+?c??d{1,2}?$", "bd", true), // lazy: same answer as greedy
            // `{` not starting a quantifier is a literal, as in PCRE.
            ("^a{$", "a{", true),
            ("^a{x}$", "a{x}", true),
            ("^a{1,x}$", "a{1,x}", true),
            ("^{$", "{", true),
            ("^[a-z][a-z0-9-]{0,62}$", "my-queue-1", true),
        ]);
    }

    #[test]
    fn invalid_patterns_are_refused() {
        use PatternError::*;
        let rows = [
            ("(", UnbalancedParens),
            ("(a|b", UnbalancedParens),
            (")", UnbalancedParens),
            ("a)b", UnbalancedParens),
            ("[", UnclosedClass),
            ("[a", UnclosedClass),
            ("[]", UnclosedClass),
            ("[^]", UnclosedClass),
            ("[a\\", TrailingBackslash),
            ("[z-a]", BadRange),
            ("[a-\\d]", BadRange),
            ("[\\d-z]", BadRange),
            ("*a", NothingToRepeat),
            ("a|+", NothingToRepeat),
            ("(?:)?*", NothingToRepeat),
            ("a**", NothingToRepeat),
            ("a{2}{3}", NothingToRepeat),
            ("{2}", NothingToRepeat),
            ("^*", NothingToRepeat),
            ("\\b+", NothingToRepeat),
            ("a{3,2}", BadRepeat),
            ("a{65536}", BadRepeat),
            ("a\\", TrailingBackslash),
            ("(a)\\1", Unsupported),
            ("(?=a)", Unsupported),
            ("(?!a)", Unsupported),
            ("(?<=a)b", Unsupported),
            ("(?<!a)b", Unsupported),
            ("(?i)abc", Unsupported),
            ("(?#note)", Unsupported),
            ("(?>a)", Unsupported),
            ("(*UTF)a", Unsupported),
            ("a*+", Unsupported),
            ("a{1,2}+", Unsupported),
            ("a{,3}", Unsupported),
            ("\\Qa.b\\E", Unsupported),
            ("\\p{L}", Unsupported),
            ("\\y", Unsupported),
            ("\\0", Unsupported),
            ("\\x4", Unsupported),
            ("\\x{100}", Unsupported),
            ("[\\b]", Unsupported),
            ("[[:nope:]]", Unsupported),
            ("[[.a.]]", Unsupported),
            ("(?<1a>x)", Unsupported),
            ("(a{1000}){1000}", TooLarge),
        ];
        for (pattern, want) in rows {
            assert_eq!(Pattern::new(pattern).err(), Some(want), "{pattern:?}");
        }
        let deep = format!("{}{}", "(".repeat(300), ")".repeat(300));
        assert_eq!(Pattern::new(&deep).err(), Some(TooLarge));
        assert!(Pattern::new(&format!("{}{}", "(".repeat(200), ")".repeat(200))).is_ok());
    }

    #[test]
    fn program_size_is_bounded() {
        assert!(Pattern::new("^[a-z0-9-]{1,255}$").is_ok());
        assert_eq!(
            Pattern::new(&"a".repeat(MAX_PROGRAM)).err(),
            Some(PatternError::TooLarge)
        );
        // Repeating nothing compiles to nothing, however large the counts.
        assert!(matches("^((){65535}){65535}x$", "x"));
        assert!(matches("^((a{0}){65535}){65535}x$", "x"));
        // An assertion is one step: its repetitions count.
        assert!(matches("^((^){3}){3}x$", "x"));
        assert_eq!(
            Pattern::new("((^){65535}){65535}").err(),
            Some(PatternError::TooLarge)
        );
    }

    #[test]
    fn nested_stars_take_linear_time() {
        let many = "a".repeat(30);
        // Exponential for a backtracker; a few thousand steps here.
        assert!(!matches("(a*)*b", &many));
        assert!(!matches("^(a|a)*b$", &many));
        assert!(!matches("^(a+a+)+b$", &many));
        assert!(!matches("^(a?){30}a{30}b$", &many));
        assert!(matches("^(a*)*$", &many));
        let long = "ab".repeat(5_000);
        assert!(!matches("(a|b|ab)*c", &long));
        assert!(matches("(()*)*b$", &long));
    }

    /// Pieces that mean the same to PCRE and to `regex_lite` on ASCII names without `\n`.
    fn atom() -> impl Strategy<Value = String> {
        let atoms = prop::sample::select(vec![
            "a",
            "b",
            "c",
            "x",
            "A",
            "1",
            "-",
            "_",
            " ",
            "\\.",
            "\\-",
            "\\*",
            "\\(",
            "\\[",
            "\\\\",
            "\\|",
            "\\$",
            "\\^",
            "\\{",
            "\\t",
            ".",
            "\\d",
            "\\w",
            "\\s",
            "\\D",
            "\\W",
            "\\S",
            "[abc]",
            "[a-c]",
            "[^a]",
            "[^a-c0-9]",
            "[\\d_]",
            "[-a]",
            "[a-]",
            "[\\w.]",
            "[[:alpha:]]",
            "[[:digit:]x]",
            "[^\\s]",
            "[.]",
            "[]a]",
            "[\\x41-\\x5a]",
            "\\x2d",
        ]);
        let quantifiers = prop::sample::select(vec![
            "", "", "", "*", "+", "?", "{2}", "{1,}", "{0,2}", "{1,3}", "*?", "+?", "??", "{2,3}?",
        ]);
        (atoms, quantifiers).prop_map(|(a, q)| format!("{a}{q}"))
    }

    fn assertion() -> impl Strategy<Value = String> {
        prop::sample::select(vec!["^", "$", "\\b", "\\B", "\\A", "\\z"]).prop_map(String::from)
    }

    fn pattern() -> impl Strategy<Value = String> {
        let leaf = prop_oneof![4 => atom(), 1 => assertion()];
        leaf.prop_recursive(4, 24, 4, |inner| {
            let quantifiers = prop::sample::select(vec!["", "*", "+", "?", "{2}", "{0,2}", "*?"]);
            prop_oneof![
                prop::collection::vec(inner.clone(), 1..5).prop_map(|v| v.concat()),
                (
                    prop::collection::vec(inner.clone(), 1..4),
                    any::<bool>(),
                    quantifiers
                )
                    .prop_map(|(v, capture, q)| {
                        let open = if capture { "(" } else { "(?:" };
                        format!("{open}{}){q}", v.join("|"))
                    }),
            ]
        })
    }

    fn name() -> impl Strategy<Value = String> {
        let chars = prop::sample::select(vec![
            'a', 'a', 'b', 'b', 'c', 'x', 'A', 'Z', '1', '9', '-', '_', '.', ' ', '\t', '\u{b}',
            '*', '(', '[', '\\', '|', '$', '^', '{',
        ]);
        prop::collection::vec(chars, 0..10).prop_map(String::from_iter)
    }

    proptest! {
        #![proptest_config(ProptestConfig::with_cases(2000))]

        /// Generated patterns from the subset agree with the `regex-lite` engine.
        #[test]
        fn agrees_with_regex_lite(
            top in prop::collection::vec(pattern(), 1..3),
            names in prop::collection::vec(name(), 8),
        ) {
            let pattern = top.join("|");
            let ours = Pattern::new(&pattern);
            let theirs = regex_lite::Regex::new(&pattern);
            prop_assert!(ours.is_ok(), "we refuse {pattern:?}: {:?}", ours.err());
            prop_assert!(theirs.is_ok(), "regex-lite refuses {pattern:?}");
            let (ours, theirs) = (ours.unwrap(), theirs.unwrap());
            for name in &names {
                prop_assert_eq!(
                    ours.is_match(name),
                    theirs.is_match(name),
                    "{:?} on {:?}", pattern, name
                );
            }
        }

        /// Arbitrary strings of metacharacters never panic, and wherever both engines accept
        /// them, they agree.
        #[test]
        fn token_soup_never_panics(
            tokens in prop::collection::vec(prop::sample::select(vec![
                "a", "b", "(", ")", "|", "*", "+", "?", "[", "]", "^", "$", "-", ".", "\\",
                "\\d", "{2}", "{1,", "}", "(?:", "[^", ":",
            ]), 0..12),
            names in prop::collection::vec(name(), 4),
        ) {
            let pattern = tokens.concat();
            if let Ok(ours) = Pattern::new(&pattern) {
                let theirs = regex_lite::Regex::new(&pattern);
                for name in &names {
                    let found = ours.is_match(name);
                    if let Ok(theirs) = &theirs {
                        prop_assert_eq!(found, theirs.is_match(name), "{:?} on {:?}", pattern, name);
                    }
                }
            }
        }

        /// Any pattern text at all, on any name: an answer, never a panic.
        #[test]
        fn never_panics(pattern in ".{0,24}", name in ".{0,16}") {
            if let Ok(p) = Pattern::new(&pattern) {
                p.is_match(&name);
            }
        }
    }
}
