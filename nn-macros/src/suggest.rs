//! "Did you mean" hints by edit distance.

/// Levenshtein distance between two ASCII-ish identifiers, by characters.
pub fn edit_distance(a: &str, b: &str) -> usize {
    let b: Vec<char> = b.chars().collect();
    let mut previous: Vec<usize> = (0..=b.len()).collect();
    let mut current = vec![0; b.len() + 1];
    for (i, ca) in a.chars().enumerate() {
        current[0] = i + 1;
        for (j, &cb) in b.iter().enumerate() {
            let substitution = previous[j] + usize::from(ca != cb);
            current[j + 1] = substitution.min(previous[j + 1] + 1).min(current[j] + 1);
        }
        std::mem::swap(&mut previous, &mut current);
    }
    previous[b.len()]
}

/// `"; did you mean `x`?"` for the closest candidate within a third of the
/// name's length (at least 2 edits), or an empty string.
pub fn did_you_mean(name: &str, candidates: &[&str]) -> String {
    let limit = (name.chars().count() / 3).max(2);
    candidates
        .iter()
        .map(|c| (edit_distance(name, c), *c))
        .filter(|&(d, _)| d <= limit)
        .min_by_key(|&(d, _)| d)
        .map(|(_, c)| format!("; did you mean `{c}`?"))
        .unwrap_or_default()
}

/// Candidates as "`a`, `b`, `c`".
pub fn list(candidates: &[&str]) -> String {
    candidates
        .iter()
        .map(|c| format!("`{c}`"))
        .collect::<Vec<_>>()
        .join(", ")
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn distance_counts_edits() {
        assert_eq!(edit_distance("relu", "relu"), 0);
        assert_eq!(edit_distance("rleu", "relu"), 2);
        assert_eq!(edit_distance("sigmod", "sigmoid"), 1);
        assert_eq!(edit_distance("", "adam"), 4);
    }

    #[test]
    fn hint_picks_closest_name() {
        assert_eq!(
            did_you_mean("sigmod", &["sigmoid", "softsign"]),
            "; did you mean `sigmoid`?"
        );
        assert_eq!(did_you_mean("conv", &["dense"]), "");
    }
}
