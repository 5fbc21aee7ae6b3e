package statusd

import (
	"context"
	"errors"

	"github.com/statusnode/statusd/internal/messenger"
	"github.com/statusnode/statusd/protocol/message"
)

// Profile is statusd_profile: our display name and photo — what our
// contact requests and updates tell contacts. Until set they are our
// three-word alias and our identicon, as 2019 clients sent them.
func (a *API) Profile() Profile { return toProfile(a.s.m.Profile()) }

// SetProfile is statusd_setProfile(name, image): set the display name and
// the photo (a base64 image data URI, "data:image/…;base64,…", of at most
// 64 KiB; "" keeps none) that contacts see, and send them at once to every
// added contact (a contact update; it is re-sent every 48 h, as 2019
// clients did). An empty name goes back to the alias. A photo that is too
// large or not an image data URI is refused with -32602 naming the rule
// "profile-image"; nothing is changed then.
//
// Example: Set our display name
//
//	params: ["Alice",""]
//	result: {"name":"Alice","image":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADIAAAAyCAIAAACRXR/mAAAAlUlEQVR4nOzWsQ2DMBBA0STyLFkiY2UOxmIJljEtwsj4g4Er/isTiq+TTueUc37F83k6YJtZhFmEWYRZRKr/PUzj6pf/93fRN0tBp2UWYRbxpu+tcqda1PeuFHRaZhFmETubeGzvWngT+zGLCJrV4Saef4uWgk7LLMIswptImEWYReCbeI+g0zKLMIswizCLmAMAAP//5QhL5d2VS4oAAAAASUVORK5CYII=","name_set":true,"image_set":false}
//	task: 14
func (a *API) SetProfile(ctx context.Context, name, image string) (Profile, error) {
	p, err := a.s.m.SetProfile(ctx, name, image)
	switch {
	case errors.Is(err, message.ErrProfileImage):
		return Profile{}, fail("image", err)
	case errors.Is(err, messenger.ErrInvalidProfile):
		return Profile{}, fail("name", err)
	case err != nil:
		return Profile{}, rpcError(err)
	}
	return toProfile(p), nil
}

// RequestContact is statusd_requestContact(chatKey): add chatKey as a
// contact and send it a contact request with our profile — or, when it
// already sent us one, the confirmation (as 2019 clients did). Its state
// becomes "request-sent" (or "added"); when it accepts, it becomes "added"
// and a contact.changed event carries its name.
//
// Example: Send a contact request
//
//	params: ["$FRIEND"]
//	result: {"id":"0x04466d7fcae563e5cb09a0d1870bb580344804617879a14949cf22285f1bae3f276728176c3c6431f8eeda4538dc37c865e2784f3a9e77d044f33e407797e1278a","alias":"Bowed Skeletal Baleenwhale","identicon":"data:image/png;base64,iVBORw0KGgoAAAANSUhEUgAAADIAAAAyCAIAAACRXR/mAAAAlUlEQVR4nOzWsQ2DMBBA0STyLFkiY2UOxmIJljEtwsj4g4Er/isTiq+TTueUc37F83k6YJtZhFmEWYRZRKr/PUzj6pf/93fRN0tBp2UWYRbxpu+tcqda1PeuFHRaZhFmETubeGzvWngT+zGLCJrV4Saef4uWgk7LLMIswptImEWYReCbeI+g0zKLMIswizCLmAMAAP//DTAqUraJRG4AAAAASUVORK5CYII=","state":"request-sent","pending":true,"added":true,"blocked":false,"request_received":false}
//	task: 15
func (a *API) RequestContact(ctx context.Context, chatKey string) (*Contact, error) {
	c, err := a.s.m.RequestContact(ctx, chatKey)
	return toContact(c), fail("chatKey", err)
}

// AcceptContact is statusd_acceptContact(chatKey): accept the pending
// contact request of chatKey (state "request-received"): it is added and
// gets our confirmation with our profile. A contact that sent no request
// or is blocked is refused with -32602.
func (a *API) AcceptContact(ctx context.Context, chatKey string) (*Contact, error) {
	c, err := a.s.m.AcceptContact(ctx, chatKey)
	return toContact(c), fail("chatKey", err)
}

// BlockContact is statusd_blockContact(chatKey): block a contact — its
// messages and contact requests are dropped from now on — and delete its
// messages from every chat and its 1:1 chat.
func (a *API) BlockContact(chatKey string) (*Contact, error) {
	c, err := a.s.m.BlockContact(chatKey)
	return toContact(c), fail("chatKey", err)
}
