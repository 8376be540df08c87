//! Both locales have the same message ids, and each message the same variables.

use std::collections::{BTreeMap, BTreeSet};

use fluent_syntax::ast::{Entry, Expression, InlineExpression, Pattern, PatternElement};

fn variables_of_pattern(pattern: &Pattern<&str>, out: &mut BTreeSet<String>) {
    for element in &pattern.elements {
        if let PatternElement::Placeable { expression } = element {
            variables_of_expression(expression, out);
        }
    }
}

fn variables_of_inline(e: &InlineExpression<&str>, out: &mut BTreeSet<String>) {
    match e {
        InlineExpression::VariableReference { id } => {
            out.insert(id.name.to_owned());
        }
        InlineExpression::Placeable { expression } => variables_of_expression(expression, out),
        _ => {}
    }
}

fn variables_of_expression(e: &Expression<&str>, out: &mut BTreeSet<String>) {
    match e {
        Expression::Inline(i) => variables_of_inline(i, out),
        Expression::Select { selector, variants } => {
            variables_of_inline(selector, out);
            for v in variants {
                variables_of_pattern(&v.value, out);
            }
        }
    }
}

fn messages(source: &str) -> BTreeMap<String, BTreeSet<String>> {
    let resource =
        fluent_syntax::parser::parse(source).unwrap_or_else(|(_, errors)| panic!("{errors:?}"));
    let mut out = BTreeMap::new();
    for entry in resource.body {
        if let Entry::Message(m) = entry {
            let mut vars = BTreeSet::new();
            if let Some(p) = &m.value {
                variables_of_pattern(p, &mut vars);
            }
            assert!(
                out.insert(m.id.name.to_owned(), vars).is_none(),
                "duplicate id {}",
                m.id.name
            );
        }
    }
    out
}

#[test]
fn persian_and_english_have_the_same_messages_and_variables() {
    let sources: BTreeMap<String, String> = setad::i18n::sources().into_iter().collect();
    assert_eq!(
        sources.keys().collect::<Vec<_>>(),
        ["en", "fa"],
        "locales found: {:?}",
        sources.keys()
    );
    let fa = messages(&sources["fa"]);
    let en = messages(&sources["en"]);
    assert!(fa.len() > 50, "only {} Persian messages", fa.len());
    let fa_ids: BTreeSet<_> = fa.keys().collect();
    let en_ids: BTreeSet<_> = en.keys().collect();
    assert_eq!(
        fa_ids.difference(&en_ids).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "only in fa"
    );
    assert_eq!(
        en_ids.difference(&fa_ids).collect::<Vec<_>>(),
        Vec::<&&String>::new(),
        "only in en"
    );
    for (id, vars) in &fa {
        assert_eq!(vars, &en[id], "variables of `{id}` differ");
    }
}

#[test]
fn persian_numbers_use_persian_digits_and_no_isolation_marks() {
    use setad::domain::Lang;
    let fa = setad::t!(Lang::Fa, "summary-insured", count = 35);
    assert!(fa.contains("۳۵"), "{fa}");
    assert!(
        !fa.contains('\u{2068}') && !fa.contains('\u{2069}'),
        "bidi isolation marks in {fa:?}"
    );
    let en = setad::t!(Lang::En, "summary-attendees", count = 1);
    assert_eq!(en, "one attendee");
}
