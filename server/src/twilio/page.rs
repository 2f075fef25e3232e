//! Twilio's paging: `PageSize` and an opaque `PageToken`, and a page
//! `{content: […], meta: {key: "content", page, page_size, url, first_page_url,
//! next_page_url, previous_page_url}}` whose links are absolute, carry the filters, and
//! point back at the host the request came to (the libraries follow `next_page_url`
//! verbatim).
//!
//! Pages are keyed by SID (keyset paging): a token names the page's number and the SID the
//! page starts after (or, for a previous page, ends before), so an item added or removed
//! between two requests neither repeats nor hides another.

use axum::http::{HeaderMap, Uri};
use serde::{Deserialize, Serialize};
use serde_json::{Value, json};

use super::error::TwilioError;
use super::extract::absolute;
use crate::clock::hex;

/// Where a page starts.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct PageToken {
    /// The page's number (0 for the first).
    #[serde(rename = "p")]
    pub page: usize,
    /// The page holds the items after this SID…
    #[serde(rename = "a", default, skip_serializing_if = "Option::is_none")]
    pub after: Option<String>,
    /// …or, going back, the items before this one.
    #[serde(rename = "b", default, skip_serializing_if = "Option::is_none")]
    pub before: Option<String>,
}

impl PageToken {
    /// The token as it travels: `PT` and hex.
    pub fn encode(&self) -> String {
        format!(
            "PT{}",
            hex(serde_json::to_string(self).unwrap_or_default().as_bytes())
        )
    }

    /// A token from its text; 25023 for anything that is not one.
    pub fn decode(text: &str) -> Result<PageToken, TwilioError> {
        let invalid = || TwilioError::bad_request(25023, "the page token is invalid or expired");
        let digits = text.strip_prefix("PT").ok_or_else(invalid)?;
        if digits.len() % 2 != 0 || digits.len() > 4096 {
            return Err(invalid());
        }
        let bytes = (0..digits.len())
            .step_by(2)
            .map(|i| {
                digits
                    .get(i..i + 2)
                    .and_then(|d| u8::from_str_radix(d, 16).ok())
            })
            .collect::<Option<Vec<u8>>>()
            .ok_or_else(invalid)?;
        serde_json::from_slice(&bytes).map_err(|_| invalid())
    }
}

/// One page of `items` (sorted by `sid`), of `size`, at `token` (none: the first page).
pub fn select<'a, T>(
    items: &'a [T],
    sid: impl Fn(&T) -> &str,
    size: usize,
    token: Option<&PageToken>,
) -> (Vec<&'a T>, usize, bool, bool) {
    let (start, end, page) = match token {
        None => (0, items.len().min(size), 0),
        Some(t) => match (&t.after, &t.before) {
            (Some(after), _) => {
                let start = items.partition_point(|i| sid(i) <= after.as_str());
                (start, (start + size).min(items.len()), t.page)
            }
            (None, Some(before)) => {
                let end = items.partition_point(|i| sid(i) < before.as_str());
                (end.saturating_sub(size), end, t.page)
            }
            (None, None) => (0, items.len().min(size), t.page),
        },
    };
    let page_items: Vec<&T> = items.get(start..end).unwrap_or_default().iter().collect();
    (page_items, page, start > 0, end < items.len())
}

/// The page body: `content` and its `meta`, links built from the request.
#[allow(clippy::too_many_arguments)]
pub fn body<T>(
    headers: &HeaderMap,
    uri: &Uri,
    filters: &[(&str, String)],
    size: usize,
    page: usize,
    items: &[&T],
    sid: impl Fn(&T) -> String,
    render: impl Fn(&T) -> Value,
    more_before: bool,
    more_after: bool,
) -> Value {
    let link = |token: Option<PageToken>| {
        let mut pairs: Vec<(&str, String)> = filters.to_vec();
        pairs.push(("PageSize", size.to_string()));
        if let Some(t) = token {
            pairs.push(("PageToken", t.encode()));
        }
        absolute(
            headers,
            uri,
            &serde_urlencoded::to_string(&pairs).unwrap_or_default(),
        )
    };
    let next = (more_after && !items.is_empty()).then(|| {
        link(Some(PageToken {
            page: page + 1,
            after: items.last().map(|i| sid(i)),
            before: None,
        }))
    });
    let previous = (more_before && page > 0 && !items.is_empty()).then(|| {
        link(Some(PageToken {
            page: page - 1,
            after: None,
            before: items.first().map(|i| sid(i)),
        }))
    });
    let url = absolute(headers, uri, uri.query().unwrap_or_default());
    json!({
        "content": items.iter().map(|i| render(i)).collect::<Vec<Value>>(),
        "meta": {
            "key": "content",
            "page": page,
            "page_size": size,
            "url": url,
            "first_page_url": link(None),
            "next_page_url": next,
            "previous_page_url": previous,
        },
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn tokens_round_trip_and_anything_else_is_25023() {
        let t = PageToken {
            page: 2,
            after: Some("IY01".into()),
            before: None,
        };
        assert_eq!(PageToken::decode(&t.encode()).unwrap(), t);
        for bad in ["", "PT", "PTzz", "PT7b", "xx7b7d", &"PT00".repeat(2000)] {
            assert_eq!(
                PageToken::decode(bad).map_err(|e| e.code),
                Err(25023),
                "{bad}"
            );
        }
    }

    #[test]
    fn keyset_pages_cover_every_item_once_forward_and_back() {
        let items: Vec<String> = (0..7).map(|i| format!("IY{i}")).collect();
        let sid = |s: &String| s.as_str().to_owned();
        let mut seen = Vec::new();
        let mut token = None;
        loop {
            let (page, n, _, more) = select(&items, |s| s.as_str(), 3, token.as_ref());
            seen.extend(page.iter().map(|s| sid(s)));
            if !more {
                break;
            }
            token = Some(PageToken {
                page: n + 1,
                after: page.last().map(|s| sid(s)),
                before: None,
            });
        }
        assert_eq!(seen, items);
        let back = PageToken {
            page: 1,
            after: None,
            before: Some("IY6".into()),
        };
        let (page, _, before, _) = select(&items, |s| s.as_str(), 3, Some(&back));
        assert_eq!(page, vec!["IY3", "IY4", "IY5"]);
        assert!(before);
    }
}
