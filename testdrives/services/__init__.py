"""Everything that changes a test drive. Views, API views, admin actions, tasks and the kiosk call
these functions and nothing else; each takes its row lock, checks the state, calls the FSM
transition, saves, and starts side effects (notifications, tower commands) on commit."""
