//! The domain's named values (roles, platforms, kinds, shapes, statuses) as column types: each
//! is stored as its name and read back through its `parse`. A name that is not one of the
//! type's values fails the row's decoding, which the store reports as
//! [`super::StoreError::Corrupt`], naming the column and the value. A language,
//! [`crate::domain::Lang`], belongs to the reading crate, so its columns are read with
//! `#[sqlx(try_from = "String")]` instead, to the same effect.

use sqlx::error::BoxDynError;
use sqlx::{Database, Decode, Type};

use crate::domain::member::{Platform, Role};
use crate::domain::notice::MessageKind;
use crate::domain::obligation::{Involvement, OccurrenceStatus, Shape};
use crate::domain::unit::UnitKind;

macro_rules! stored_as_name {
    ($($ty:ty),+) => {$(
        impl<DB: Database> Type<DB> for $ty
        where
            String: Type<DB>,
        {
            fn type_info() -> DB::TypeInfo {
                <String as Type<DB>>::type_info()
            }

            fn compatible(ty: &DB::TypeInfo) -> bool {
                <String as Type<DB>>::compatible(ty)
            }
        }

        impl<'r, DB: Database> Decode<'r, DB> for $ty
        where
            String: Decode<'r, DB>,
        {
            fn decode(value: <DB as Database>::ValueRef<'r>) -> Result<Self, BoxDynError> {
                Ok(<$ty>::try_from(<String as Decode<'r, DB>>::decode(value)?)?)
            }
        }
    )+};
}

stored_as_name!(
    Platform,
    Role,
    UnitKind,
    Shape,
    Involvement,
    OccurrenceStatus,
    MessageKind
);
