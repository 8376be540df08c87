//! The reads behind `/healthz` and the metrics' gauges (`crate::ops`): a trivial query to see
//! that the database answers, the send queue's depth, and how many stored reports leave a fact
//! unknown. Read-only, and cheap enough to run every few seconds: the queue's counts use the
//! `outbox_due` index's leading columns, the reports are counted in one pass.

use crate::domain::member::Platform;
use crate::domain::notice::MessageKind;
use crate::domain::obligation::Shape;

use super::{Store, StoreError, with_pool};

/// The messages of one platform and kind waiting in the send queue, and given up on.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct QueueDepth {
    /// The platform they go to.
    pub platform: Platform,
    /// Their kind.
    pub kind: MessageKind,
    /// Waiting to be sent (`state = 'pending'`, backing off included).
    pub pending: i64,
    /// Given up on for good (`state = 'expired'`): no longer useful when they could be sent.
    pub expired: i64,
}

/// The stored reports on obligations of one shape, and those with a fact left unknown.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct FactCoverage {
    /// The obligations' shape.
    pub shape: Shape,
    /// The reports stored (the current version of each, table `report`).
    pub reports: i64,
    /// Those of them with a fact unknown (see [`Store::fact_coverage`]).
    pub unknown: i64,
}

impl Store {
    /// Whether the database answers (`SELECT 1`).
    pub async fn ping(&self) -> Result<(), StoreError> {
        let _: (i32,) = with_pool!(self, p => sqlx::query_as("SELECT CAST(1 AS INTEGER)")
            .fetch_one(p)
            .await?);
        Ok(())
    }

    /// The send queue's pending and expired messages by platform and kind (only the pairs that
    /// have any).
    pub async fn queue_depth(&self) -> Result<Vec<QueueDepth>, StoreError> {
        let rows: Vec<(Platform, MessageKind, String, i64)> = with_pool!(self, p => sqlx::query_as(
            "SELECT platform, kind, state, COUNT(*) FROM outbox \
             WHERE state IN ('pending', 'expired') GROUP BY platform, kind, state",
        )
        .fetch_all(p)
        .await?);
        let mut out: Vec<QueueDepth> = Vec::new();
        for (platform, kind, state, n) in rows {
            let i = match out
                .iter()
                .position(|d| d.platform == platform && d.kind == kind)
            {
                Some(i) => i,
                None => {
                    out.push(QueueDepth {
                        platform,
                        kind,
                        pending: 0,
                        expired: 0,
                    });
                    out.len() - 1
                }
            };
            match state.as_str() {
                "pending" => out[i].pending = n,
                _ => out[i].expired = n,
            }
        }
        Ok(out)
    }

    /// The stored reports by their obligation's shape, and how many leave unknown a fact that
    /// shape asks for: whether it was held (or done), for every shape but quotas; for a meeting
    /// said to be held, also its date and its attendance; for a quota, the number newly insured.
    /// A fact the reader could not find and nobody corrected stays NULL.
    pub async fn fact_coverage(&self) -> Result<Vec<FactCoverage>, StoreError> {
        let rows: Vec<(Shape, i64, i64)> = with_pool!(self, p => sqlx::query_as(
            "SELECT o.shape, COUNT(*), COALESCE(SUM(CASE \
                 WHEN o.shape = 'quota' THEN CASE WHEN r.insured IS NULL THEN 1 ELSE 0 END \
                 WHEN r.held IS NULL THEN 1 \
                 WHEN o.shape = 'meeting' AND r.held = TRUE \
                      AND (r.held_on IS NULL OR r.attendees IS NULL) THEN 1 \
                 ELSE 0 END), 0) \
             FROM report r \
             JOIN occurrence oc ON oc.occurrence_id = r.occurrence_id \
             JOIN assignment a ON a.assignment_id = oc.assignment_id \
             JOIN obligation o ON o.obligation_id = a.obligation_id \
             GROUP BY o.shape",
        )
        .fetch_all(p)
        .await?);
        Ok(rows
            .into_iter()
            .map(|(shape, reports, unknown)| FactCoverage {
                shape,
                reports,
                unknown,
            })
            .collect())
    }
}
