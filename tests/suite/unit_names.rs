//! Units found as operators name them: the table `tests/data/unit-names.toml` against the
//! shipped Mazandaran file, imported into a real database.

use crate::common;

use serde::Deserialize;
use setad::domain::member::Role;
use setad::service::import::import;
use setad::service::units::{self, Found};

#[derive(Debug, Deserialize)]
struct Table {
    name: Vec<Row>,
}

#[derive(Debug, Deserialize)]
struct Row {
    query: String,
    unit: String,
    role: Option<String>,
    why: String,
}

#[tokio::test]
async fn operators_names_find_their_units() {
    let db = common::sqlite().await;
    import(&db.store, &common::mazandaran_source(), 0)
        .await
        .unwrap();
    let source = std::fs::read_to_string(
        std::path::Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data/unit-names.toml"),
    )
    .unwrap();
    let table: Table = toml::from_str(&source).unwrap();
    assert!(
        table.name.len() >= 40,
        "the table has {} rows",
        table.name.len()
    );
    let mut outright = 0;
    let mut listed = Vec::new();
    let mut wrong = Vec::new();
    for row in &table.name {
        assert!(
            db.store.unit_by_key(&row.unit).await.unwrap().is_some(),
            "{}: no unit {}",
            row.query,
            row.unit
        );
        let role = row.role.as_deref().map(|r| Role::parse(r).unwrap());
        let found = units::find(&db.store, &row.query, role).await.unwrap();
        let first = match &found {
            Found::One(unit) if unit.key == row.unit => {
                outright += 1;
                continue;
            }
            Found::One(unit) => Some(unit),
            Found::Several(units) | Found::Unknown { closest: units } => {
                assert!(!units.is_empty(), "{}: nothing listed", row.query);
                units.first()
            }
        };
        if first.is_some_and(|u| u.key == row.unit) && !matches!(found, Found::One(_)) {
            listed.push(format!("{} ({})", row.query, row.why));
        } else {
            wrong.push(format!(
                "{} ({}): expected {}, got {:?}",
                row.query,
                row.why,
                row.unit,
                match &found {
                    Found::One(u) => vec![u.key.clone()],
                    Found::Several(us) | Found::Unknown { closest: us } =>
                        us.iter().map(|u| u.key.clone()).collect(),
                }
            ));
        }
    }
    assert!(wrong.is_empty(), "wrong:\n{}", wrong.join("\n"));
    assert!(
        outright >= 30,
        "{outright} of {} resolve outright; listed first: {listed:#?}",
        table.name.len()
    );
    println!(
        "{outright} of {} resolve outright; these list the unit first:\n{}",
        table.name.len(),
        listed.join("\n")
    );
}
