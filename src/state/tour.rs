//! The walkthrough in the reducer: arriving at a caption does what it says, on the recorded
//! timeline like any other input (see `sim::tour`).

use super::PlaygroundState;
use crate::sim::tour::SETTLE_LIMIT_MS;
use crate::sim::Playground;

impl PlaygroundState {
    /// Shows walkthrough step `i`. The next step is reached live (its inputs now, the clock
    /// plays on); any other is rebuilt: the scenario as loaded, the steps before `i` run to
    /// their ends, then `i`'s inputs.
    pub(super) fn tour_go(&mut self, i: usize) -> Result<(), String> {
        let len = self.engine.borrow().scenario().tour.len();
        if i >= len {
            return Err(if len == 0 {
                "this scenario has no walkthrough".into()
            } else {
                format!(
                    "the walkthrough has steps 1 to {len}; there is no step {}",
                    i + 1
                )
            });
        }
        let forward = self.tour_at.map_or(i == 0, |at| i == at + 1);
        if !forward {
            let start = self.recording.borrow().start().clone();
            let pg = Playground::new(start).map_err(|e| e.to_string())?;
            self.replace_engine(pg);
            for step in 0..i {
                self.tour_inputs(step);
                self.tour_settle(step);
            }
        }
        self.tour_inputs(i);
        self.tour_at = Some(i);
        self.playing = true;
        Ok(())
    }

    fn tour_inputs(&mut self, i: usize) {
        let inputs = self.engine.borrow().scenario().tour[i].inputs.clone();
        for input in inputs {
            // A refused input (a consumer already stopped) is what the reader would see too:
            // the step goes on with the rest.
            let _ = self.input(input);
        }
    }

    fn tour_settle(&mut self, i: usize) {
        let run_ms = self.engine.borrow().scenario().tour[i].run_ms;
        match run_ms {
            Some(ms) => self.run_clock(Some(ms)),
            None => {
                let start = self.now();
                while self.engine.borrow().busy() && self.now() - start < SETTLE_LIMIT_MS {
                    self.run_clock(Some(250));
                }
            }
        }
    }
}
