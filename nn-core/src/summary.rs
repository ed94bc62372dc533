//! A printable table of a network's layers and groups.

use std::fmt;

use crate::dense::{Dense, GroupInfo, GroupSet};
use crate::network::{LayerVisitor, Network};
use crate::scalar::Scalar;

/// One row per group: layer, group, neurons, activation, optimizer and
/// live/total connections. `Display` prints it as an aligned table.
#[derive(Clone, Debug, PartialEq)]
pub struct Summary {
    /// `(layer name, layer inputs, group)` for every group, input side first.
    pub rows: Vec<(String, usize, GroupInfo)>,
}

impl Summary {
    /// Collects the rows of `network`.
    pub fn of<T: Scalar, N: Network<T>>(network: &N) -> Self {
        let mut collector = Collector { rows: Vec::new() };
        network.visit_layers(&mut collector);
        Self {
            rows: collector.rows,
        }
    }

    /// Trainable parameters: live weights and biases of groups that are not frozen.
    pub fn trainable_parameters(&self) -> usize {
        self.rows
            .iter()
            .filter(|(_, _, g)| !g.frozen)
            .map(|(_, _, g)| g.live_connections + g.outputs)
            .sum()
    }
}

struct Collector {
    rows: Vec<(String, usize, GroupInfo)>,
}

impl<T: Scalar> LayerVisitor<T> for Collector {
    fn visit_layer<G: GroupSet<T>>(&mut self, layer: &Dense<T, G>) {
        for info in layer.group_infos() {
            self.rows
                .push((layer.name().to_owned(), layer.inputs(), info));
        }
    }
}

impl fmt::Display for Summary {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        let header = [
            "layer",
            "group",
            "neurons",
            "activation",
            "optimizer",
            "connections",
        ];
        let cells: Vec<[String; 6]> = self
            .rows
            .iter()
            .map(|(layer, inputs, g)| {
                [
                    format!("{layer} ({inputs} ->)"),
                    g.name.clone(),
                    g.outputs.to_string(),
                    g.activation.to_owned(),
                    g.optimizer.clone(),
                    format!("{}/{}", g.live_connections, g.total_connections),
                ]
            })
            .collect();
        let mut widths = header.map(str::len);
        for row in &cells {
            for (width, cell) in widths.iter_mut().zip(row) {
                *width = (*width).max(cell.chars().count());
            }
        }
        let line = |f: &mut fmt::Formatter<'_>, row: &[&str]| -> fmt::Result {
            for (i, (cell, width)) in row.iter().zip(widths).enumerate() {
                if i == 2 {
                    write!(f, "{cell:>width$}  ")?;
                } else if i + 1 < row.len() {
                    write!(f, "{cell:<width$}  ")?;
                } else {
                    write!(f, "{cell}")?;
                }
            }
            writeln!(f)
        };
        line(f, &header)?;
        for row in &cells {
            line(f, &row.iter().map(String::as_str).collect::<Vec<_>>())?;
        }
        write!(f, "trainable parameters: {}", self.trainable_parameters())
    }
}
