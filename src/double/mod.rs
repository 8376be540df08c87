//! A Bot API test double (being written).
