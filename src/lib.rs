//! Refleqt Attribution web app (placeholder).
